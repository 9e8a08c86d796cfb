// oaktree token create NAME: a new static API token for a service account. The token is printed once and kept
// nowhere; the node's tokens file gets only its hash (src/auth/static-tokens.ts).
import type { Command } from 'commander';
import { createStaticToken } from '../../auth/static-tokens.ts';

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('static API tokens for service accounts (auth.static_tokens)');
  token
    .command('create <name>')
    .description('print a new random token once, and the line to add under "tokens:" in the node\'s tokens file')
    .action(function (this: Command, name: string) {
      let created: ReturnType<typeof createStaticToken>;
      try {
        created = createStaticToken(name);
      } catch (error) {
        return this.error(`error: ${(error as Error).message}`, { exitCode: 2 });
      }
      process.stdout.write(
        [
          `token: ${created.token}`,
          '',
          'Give the token to the service now: it is not stored anywhere and cannot be shown again.',
          'Add this line under "tokens:" in the file named by auth.static_tokens.file, then restart the node:',
          '',
          created.line,
          '',
        ].join('\n'),
      );
    });
}
