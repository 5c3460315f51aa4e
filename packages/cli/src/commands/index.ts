import type { Command } from '../command.ts';
import { checks } from './checks.ts';
import { clusters } from './clusters.ts';
import { collect } from './collect.ts';
import { demo } from './demo.ts';
import { exceptions } from './exceptions.ts';
import { frameworks } from './frameworks.ts';
import { keys } from './keys.ts';
import { migrateCommand } from './migrate.ts';
import { scan } from './scan.ts';
import { schema } from './schema.ts';
import { serve } from './serve.ts';
import { subscriptions } from './subscriptions.ts';
import { whoCan } from './who-can.ts';

/** Every `vigil` command, in the order `vigil help` lists them. Add a command: one import, one entry. */
export const COMMANDS: readonly Command[] = [
  scan,
  whoCan,
  collect,
  checks,
  exceptions,
  frameworks,
  schema,
  demo,
  serve,
  clusters,
  keys,
  subscriptions,
  migrateCommand,
];
