// The `vigil` executable: `npm start`, `npm run vigil -- ARGS` and bin/vigil.js all run this file.
import { nodeIo } from './io.ts';
import { main } from './main.ts';

// `vigil ... | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), nodeIo());
