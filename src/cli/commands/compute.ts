// oaktree flavor list|show and keypair list|create|delete.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { action, io, withCommonOptions } from './context.ts';
import { INT32_MAX, MIB_MINIMUM, numberOption } from './numbers.ts';
import { byPlace, byRegion, flavorView, keypairView } from './views.ts';
import { addFlavorListOptions, flavorListExtras } from './server-config.ts';

export function registerComputeCommands(program: Command): void {
  const flavor = program.command('flavor').description('flavors (server sizes) in every cloud and region');
  addFlavorListOptions(withCommonOptions(flavor.command('list').description('list flavors')))
    .option('--min-ram <MiB>', 'only flavors with at least this much memory', numberOption(MIB_MINIMUM))
    .option('--min-vcpus <n>', 'only flavors with at least this many vCPUs', numberOption({ min: 0, max: INT32_MAX }))
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listFlavors(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.minRam ? { minRamMb: opts.minRam } : {}),
          ...(opts.minVcpus ? { minVcpus: opts.minVcpus } : {}),
          ...flavorListExtras(opts),
        });
        // With --sort the node's order stands (per region); without it, by memory.
        await ctx.printList(stream, flavorView, (a, b) => byRegion(a, b) || (opts.sort ? 0 : a.ramMb - b.ramMb));
      }),
    );
  withCommonOptions(flavor.command('show').description('show one flavor').argument('<name-or-id>')).action(
    action(async (ctx, _opts, nameOrId: string) => {
      ctx.printOne(await ctx.client.getFlavor(nameOrId, ctx.selector), flavorView);
    }),
  );

  const keypair = program.command('keypair').description('SSH keypairs');
  withCommonOptions(keypair.command('list').description('list keypairs')).action(
    action(async (ctx) => {
      await ctx.printList(ctx.client.listKeypairs(ctx.selector, ctx.listOptions), keypairView, byPlace);
    }),
  );
  withCommonOptions(
    keypair
      .command('create')
      .description('create a keypair in one cloud and region; without --public-key the private key is printed once')
      .argument('<name>'),
  )
    .option('--public-key <file>', 'an OpenSSH public key file (e.g. ~/.ssh/id_ed25519.pub)')
    .action(
      action(async (ctx, opts, name: string) => {
        const publicKey = opts.publicKey ? (await readFile(opts.publicKey, 'utf8')).trim() : undefined;
        const created = await ctx.client.createKeypair(name, ctx.selector, publicKey ? { publicKey } : {});
        if (created.privateKey && ctx.flags.format === 'table') io.stdout.write(`${created.privateKey.trimEnd()}\n`);
        else if (ctx.flags.format === 'table') ctx.printOne(created.keypair!, keypairView);
        else
          ctx.printOne(created, {
            toJSON: (c) => ({ ...(keypairView.toJSON(c.keypair!) as object), privateKey: c.privateKey || undefined }),
          });
      }),
    );
  withCommonOptions(
    keypair.command('delete').description('delete a keypair in one cloud and region').argument('<name>'),
  ).action(
    action(async (ctx, _opts, name: string) => {
      const location = await ctx.client.deleteKeypair(name, ctx.selector);
      io.stdout.write(`deleted keypair ${name} in ${location.cloud}/${location.region}\n`);
    }),
  );
}
