import type { Framework } from '../model.ts';

/** NIST SP 800-53 rev. 5: the controls Vigil's checks give evidence for (titles as in the catalog). */
export const nist80053r5: Framework = {
  id: 'nist-800-53-r5',
  title: 'NIST SP 800-53',
  version: 'rev. 5',
  controls: [
    { id: 'AC-2', title: 'Account Management' },
    { id: 'AC-3', title: 'Access Enforcement' },
    { id: 'AC-6', title: 'Least Privilege' },
    { id: 'AC-6(5)', title: 'Least Privilege | Privileged Accounts' },
    { id: 'AC-6(9)', title: 'Least Privilege | Log Use of Privileged Functions' },
    { id: 'AC-14', title: 'Permitted Actions Without Identification or Authentication' },
    { id: 'AC-20', title: 'Use of External Systems' },
    { id: 'AU-2', title: 'Event Logging' },
    { id: 'AU-6', title: 'Audit Record Review, Analysis, and Reporting' },
    { id: 'AU-12', title: 'Audit Record Generation' },
    { id: 'CM-6', title: 'Configuration Settings' },
    { id: 'IA-2', title: 'Identification and Authentication (Organizational Users)' },
    { id: 'IA-5', title: 'Authenticator Management' },
    { id: 'IA-8', title: 'Identification and Authentication (Non-Organizational Users)' },
    { id: 'SC-7', title: 'Boundary Protection' },
    { id: 'SC-12', title: 'Cryptographic Key Establishment and Management' },
    { id: 'SC-28(1)', title: 'Protection of Information at Rest | Cryptographic Protection' },
    { id: 'SI-2', title: 'Flaw Remediation' },
  ],
};
