import type { Framework } from '../model.ts';
import { cisEks180 } from './cis-eks-1.8.0.ts';
import { cisK8s1120 } from './cis-k8s-1.12.0.ts';
import { iso270012022 } from './iso-27001-2022.ts';
import { nist80053r5 } from './nist-800-53-r5.ts';

export const FRAMEWORKS: readonly Framework[] = [cisEks180, cisK8s1120, nist80053r5, iso270012022];
