// The VPC the functions and the database share. The scanner reaches clusters' public API endpoints and the
// EKS, STS and KMS APIs through NAT; an EC2 NAT instance (fck-nat on t4g.nano, one per AZ) costs about a
// tenth of a managed NAT gateway, which is plenty for daily scans (see docs/cost.md).
export const vpc = new sst.aws.Vpc('Vpc', { az: 2, nat: 'ec2' });
