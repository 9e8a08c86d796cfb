// oaktree image list|show|upload|download|delete, plus set, import and sharing (image-changes.ts).
import type { Command } from 'commander';
import { Option } from 'commander';
import { parseImageVisibility } from '../../client/index.ts';
import type { Image } from '../../gen/oaktree/v1/image.ts';
import { action, io, keyValue, repeatable, UsageError, withCommonOptions } from './context.ts';
import { formatBytes } from './output.ts';
import { GIB_MINIMUM, MIB_MINIMUM, numberOption } from './numbers.ts';
import { byPlace, imageView } from './views.ts';
import { registerImageChangeCommands } from './image-changes.ts';

const percent = (bytes: number, total?: number) => (total ? ` (${Math.floor((100 * bytes) / total)}%)` : '');

export function registerImageCommands(program: Command): void {
  const image = program.command('image').description('images in every cloud and region');

  withCommonOptions(image.command('list').description('list images'))
    .option('--name <name-or-id>', 'only images with this name or id')
    .option('--fresh', "ask the clouds, not oaktree's cache")
    .action(
      action(async (ctx, opts) => {
        const stream = ctx.client.listImages(ctx.selector, {
          ...ctx.listOptions,
          ...(opts.name ? { nameOrId: opts.name } : {}),
          fresh: Boolean(opts.fresh),
        });
        await ctx.printList(stream, imageView, byPlace);
      }),
    );

  withCommonOptions(image.command('show').description('show one image').argument('<name-or-id>')).action(
    action(async (ctx, _opts, nameOrId: string) => {
      ctx.printOne(await ctx.client.getImage(nameOrId, ctx.selector), imageView);
    }),
  );

  withCommonOptions(
    image
      .command('upload')
      .description('upload an image file to one cloud and region, or with --all to every location that matches')
      .argument('<file>', 'the image file ("-" reads standard input)'),
  )
    .requiredOption('--name <name>', "the image's name")
    .option('--disk-format <format>', "qcow2, raw ... (default: the location's preferred format)")
    .option('--container-format <format>', 'bare (default), ovf ...')
    .addOption(
      new Option('--visibility <visibility>', 'who can see it').choices(['public', 'private', 'shared', 'community']),
    )
    .option('--min-disk <GiB>', 'minimum disk to boot it', numberOption(GIB_MINIMUM))
    .option('--min-ram <MiB>', 'minimum memory to boot it', numberOption(MIB_MINIMUM))
    .option('--tag <tag>', 'a tag (repeatable)', repeatable)
    .option('--property <key=value>', 'an image property (repeatable)', keyValue)
    .option('--all', 'upload to every location the selector matches, in one stream')
    .addOption(
      new Option('--upload-method <method>', 'how the bytes go in (default: oaktree decides)').choices([
        'put',
        'glance-direct',
      ]),
    )
    .action(
      action(async (ctx, opts, file: string) => {
        const source = file === '-' ? process.stdin : file;
        const outcome = await ctx.client.uploadImage(
          source,
          {
            name: opts.name,
            location: ctx.selector,
            allMatchingLocations: Boolean(opts.all),
            ...(opts.diskFormat ? { diskFormat: opts.diskFormat } : {}),
            ...(opts.containerFormat ? { containerFormat: opts.containerFormat } : {}),
            ...(opts.visibility ? { visibility: parseImageVisibility(opts.visibility) } : {}),
            ...(opts.minDisk ? { minDiskGb: opts.minDisk } : {}),
            ...(opts.minRam ? { minRamMb: opts.minRam } : {}),
            ...(opts.uploadMethod ? { uploadMethod: opts.uploadMethod } : {}),
            tags: opts.tag ?? [],
            properties: opts.property ?? {},
          },
          {
            onProgress: (p) => ctx.progress(`uploading ${formatBytes(p.bytes)}${percent(p.bytes, p.totalBytes)}`),
            onError: ctx.listOptions.onError,
          },
        );
        ctx.endProgress();
        if (ctx.flags.format === 'table' && outcome.images.length > 1) {
          io.stdout.write(formatImages(outcome.images));
        } else if (outcome.images.length === 1 && !opts.all) ctx.printOne(outcome.images[0]!, imageView);
        else ctx.printObjects(outcome.images, imageView, byPlace);
      }),
    );

  withCommonOptions(
    image
      .command('download')
      .description('download an image to a file (checksums verified)')
      .argument('<name-or-id>')
      .requiredOption('-o, --output <file>', 'where to write it ("-" for standard output)'),
  ).action(
    action(async (ctx, opts, nameOrId: string) => {
      if (opts.output === '-' && io.stdout.isTTY) throw new UsageError('refusing to write an image to a terminal');
      const sink =
        opts.output === '-' ? (io.stdout as NodeJS.WritableStream as import('node:stream').Writable) : opts.output;
      const outcome = await ctx.client.downloadImage(nameOrId, sink, ctx.selector, {
        onProgress: (p) => ctx.progress(`downloading ${formatBytes(p.bytes)}${percent(p.bytes, p.totalBytes)}`),
      });
      ctx.endProgress();
      if (opts.output !== '-') {
        io.stderr.write(
          `wrote ${outcome.image.name} (${formatBytes(outcome.sizeBytes)}, sha256 ${outcome.sha256}) to ${opts.output}\n`,
        );
      }
    }),
  );

  withCommonOptions(
    image.command('delete').description('delete images in one cloud and region').argument('<name-or-id...>'),
  ).action(
    action(async (ctx, _opts, names: string[]) => {
      for (const nameOrId of names) {
        const deleted = await ctx.client.deleteImage(nameOrId, ctx.selector);
        io.stdout.write(
          `deleted ${nameOrId} (${deleted.id}) in ${deleted.location?.cloud}/${deleted.location?.region}\n`,
        );
      }
    }),
  );
  registerImageChangeCommands(image);
}

function formatImages(images: Image[]): string {
  return images.map((i) => `uploaded ${i.name} to ${i.location?.cloud}/${i.location?.region} as ${i.id}\n`).join('');
}
