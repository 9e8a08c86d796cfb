// oaktree object list|show|upload|download|delete|url.
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { Option } from 'commander';
import { action, io, keyValue, UsageError, withCommonOptions } from './context.ts';
import { CreateObjectUrlResponse } from '../../gen/oaktree/v1/object_store.ts';
import { objectView } from './object-views.ts';
import { byteSizeOption, INT32_MAX, numberOption } from './numbers.ts';
import { formatBytes } from './output.ts';
import { byPlace } from './views.ts';

const percent = (bytes: number, total?: number) => (total ? ` (${Math.floor((100 * bytes) / total)}%)` : '');

export function registerObjectCommands(program: Command): void {
  const object = program.command('object').description('objects in object-store containers');

  withCommonOptions(object.command('list').description("list a container's objects").argument('<container>'))
    .option('--prefix <prefix>', 'only names that start with this')
    .option('--delimiter <char>', 'roll names up to this character into "directories" (usually /)')
    .option('--marker <name>', 'only names after this one')
    .option('--limit <n>', 'at most this many per location', numberOption({ min: 1, max: INT32_MAX }))
    .action(
      action(async (ctx, opts, container: string) => {
        const stream = ctx.client.listObjects(container, ctx.selector, {
          ...ctx.listOptions,
          prefix: opts.prefix ?? '',
          delimiter: opts.delimiter ?? '',
          marker: opts.marker ?? '',
          limit: opts.limit ?? 0,
        });
        await ctx.printList(stream, objectView, byPlace);
      }),
    );

  withCommonOptions(
    object.command('show').description("an object's metadata").argument('<container>').argument('<name>'),
  ).action(
    action(async (ctx, _opts, container: string, name: string) => {
      ctx.printOne(await ctx.client.getObject(container, name, ctx.selector), objectView);
    }),
  );

  withCommonOptions(
    object
      .command('upload')
      .description('upload a file to one cloud and region, or with --all to every location that matches')
      .argument('<container>', 'created when missing')
      .argument('<file>', 'the file ("-" reads standard input)'),
  )
    .option('--name <name>', "the object's name (default: the file's name)")
    .option('--content-type <type>', 'MIME type')
    .option('--property <key=value>', 'metadata (repeatable)', keyValue)
    .option('--segment-size <size>', 'split larger objects into segments of this size (e.g. 512MiB)', byteSizeOption)
    .option(
      '--delete-after <seconds>',
      'the cloud deletes it after this many seconds',
      numberOption({ unit: 'seconds', min: 1 }),
    )
    .option('--all', 'upload to every location the selector matches, in one stream')
    .action(
      action(async (ctx, opts, container: string, file: string) => {
        if (file === '-' && !opts.name) throw new UsageError('--name is required when reading standard input');
        const outcome = await ctx.client.uploadObject(
          file === '-' ? process.stdin : file,
          {
            container,
            name: opts.name ?? basename(file),
            location: ctx.selector,
            allMatchingLocations: Boolean(opts.all),
            contentType: opts.contentType ?? '',
            metadata: opts.property ?? {},
            segmentSizeBytes: BigInt(opts.segmentSize ?? 0),
            deleteAfterSeconds: BigInt(opts.deleteAfter ?? 0),
          },
          {
            onProgress: (p) => ctx.progress(`uploading ${formatBytes(p.bytes)}${percent(p.bytes, p.totalBytes)}`),
            onError: ctx.listOptions.onError,
          },
        );
        ctx.endProgress();
        if (outcome.objects.length === 1 && !opts.all) ctx.printOne(outcome.objects[0]!, objectView);
        else ctx.printObjects(outcome.objects, objectView, byPlace);
      }),
    );

  withCommonOptions(
    object
      .command('download')
      .description('download an object to a file (md5 verified)')
      .argument('<container>')
      .argument('<name>')
      .option('-o, --output <file>', 'where to write it ("-" for standard output; default: the name\'s last part)'),
  )
    .option('--offset <bytes>', 'first byte', numberOption({ unit: 'bytes', min: 0 }))
    .option('--length <bytes>', 'how many bytes', numberOption({ unit: 'bytes', min: 1 }))
    .action(
      action(async (ctx, opts, container: string, name: string) => {
        const output = opts.output ?? basename(name);
        if (output === '-' && io.stdout.isTTY) throw new UsageError('refusing to write an object to a terminal');
        const sink = output === '-' ? (io.stdout as NodeJS.WritableStream as Writable) : output;
        const outcome = await ctx.client.downloadObject(container, name, sink, ctx.selector, {
          offset: opts.offset,
          length: opts.length,
          onProgress: (p) => ctx.progress(`downloading ${formatBytes(p.bytes)}${percent(p.bytes, p.totalBytes)}`),
        });
        ctx.endProgress();
        if (output !== '-')
          io.stderr.write(`wrote ${name} (${formatBytes(outcome.sizeBytes)}, md5 ${outcome.md5}) to ${output}\n`);
      }),
    );

  withCommonOptions(
    object.command('delete').description('delete objects').argument('<container>').argument('[name...]'),
  )
    .option('--prefix <prefix>', 'delete every object whose name starts with this')
    .action(
      action(async (ctx, opts, container: string, names: string[]) => {
        if (!opts.prefix && names.length === 0) throw new UsageError('name the objects, or give --prefix');
        for (const name of names) {
          const deleted = await ctx.client.deleteObject(container, name, ctx.selector);
          const segments = deleted.segmentsDeleted ? ` with ${deleted.segmentsDeleted} segments` : '';
          io.stdout.write(`deleted ${name}${segments} in ${deleted.location?.cloud}/${deleted.location?.region}\n`);
        }
        if (opts.prefix) {
          const done = await ctx.client.deleteObjects(container, opts.prefix, ctx.selector);
          io.stdout.write(`deleted ${done.objectsDeleted} objects under ${opts.prefix}\n`);
        }
      }),
    );

  withCommonOptions(
    object
      .command('url')
      .description('a signed URL to fetch (or upload) the object straight from the cloud (TempURL)')
      .argument('<container>')
      .argument('<name>'),
  )
    .addOption(
      new Option('--method <method>', 'what the URL allows').choices(['GET', 'PUT', 'HEAD', 'DELETE']).default('GET'),
    )
    .option(
      '--expires <seconds>',
      'how long it works (default 3600, at most 7 days)',
      numberOption({ unit: 'seconds', min: 1, max: 7 * 86400 }),
    )
    .action(
      action(async (ctx, opts, container: string, name: string) => {
        const signed = await ctx.client.createObjectUrl(container, name, ctx.selector, {
          method: opts.method,
          expiresInSeconds: opts.expires,
        });
        if (ctx.flags.format === 'table') io.stdout.write(`${signed.url}\n`);
        else ctx.printOne(signed, { toJSON: (s) => CreateObjectUrlResponse.toJSON(s) });
      }),
    );
}
