import type { Framework } from '../model.ts';

/** ISO/IEC 27001:2022 Annex A: the controls Vigil's checks give evidence for (control names as Annex A gives them). */
export const iso270012022: Framework = {
  id: 'iso-27001-2022',
  title: 'ISO/IEC 27001 Annex A',
  version: '2022',
  controls: [
    { id: '5.15', title: 'Access control' },
    { id: '5.18', title: 'Access rights' },
    { id: '8.2', title: 'Privileged access rights' },
    { id: '8.3', title: 'Information access restriction' },
    { id: '8.5', title: 'Secure authentication' },
    { id: '8.8', title: 'Management of technical vulnerabilities' },
    { id: '8.9', title: 'Configuration management' },
    { id: '8.15', title: 'Logging' },
    { id: '8.16', title: 'Monitoring activities' },
    { id: '8.20', title: 'Networks security' },
    { id: '8.24', title: 'Use of cryptography' },
  ],
};
