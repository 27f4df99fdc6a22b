/** Entry point of the `shoebox` command: `shoebox serve [options]` (the default). */
import { serve } from './serve';

const USAGE = `Usage: shoebox <command> [options]

  serve       run the receiver headless (default); shoebox serve --help for options
  simulate    run the simulated iPhone client; shoebox simulate --help for options`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command.startsWith('-')) return serve(argv);
  if (command === 'serve') return serve(rest);
  if (command === 'simulate') {
    const { runSimulatorCli } = await import('../../../shared/simulator/cli/main.nodejs');
    return runSimulatorCli(rest);
  }
  if (command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  process.stderr.write(`shoebox: unknown command "${command}"\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`shoebox: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
