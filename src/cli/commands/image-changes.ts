// oaktree image set|import|member list|add project|remove project|accept|reject, in the style of
// `openstack image set` (--public/--private/--shared/--community, --protected/--unprotected, --deactivate/
// --activate), `openstack image add project` and `openstack image create --import --uri`.
import type { Command } from 'commander';
import { Option } from 'commander';
import { parseImageVisibility } from '../../client/index.ts';
import { ImageVisibility } from '../../gen/oaktree/v1/image.ts';
import { action, io, keyValue, repeatable, withCommonOptions } from './context.ts';
import { imageMemberView } from './storage-views.ts';
import { GIB_MINIMUM, MIB_MINIMUM, numberOption } from './numbers.ts';
import { byPlace, imageView } from './views.ts';

export function registerImageChangeCommands(image: Command): void {
  withCommonOptions(image.command('set').description('change an image').argument('<name-or-id>'))
    .option('--name <name>', 'a new name')
    .addOption(
      new Option('--visibility <visibility>', 'who can see it').choices(['public', 'private', 'shared', 'community']),
    )
    .option('--protected', 'protect it from deletion')
    .option('--unprotected', 'allow deleting it')
    .option('--min-disk <GiB>', 'minimum disk to boot it', numberOption(GIB_MINIMUM))
    .option('--min-ram <MiB>', 'minimum memory to boot it', numberOption(MIB_MINIMUM))
    .option('--tag <tag>', 'add a tag (repeatable)', repeatable)
    .option('--remove-tag <tag>', 'remove a tag (repeatable)', repeatable)
    .option('--property <key=value>', 'set a property (repeatable)', keyValue)
    .option('--remove-property <key>', 'remove a property (repeatable)', repeatable)
    .option('--deactivate', 'deactivate it (no download, no boot)')
    .option('--activate', 'reactivate it')
    .action(
      action(async (ctx, opts, nameOrId: string) => {
        let changed = await ctx.client.updateImage(nameOrId, ctx.selector, {
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          visibility: opts.visibility
            ? parseImageVisibility(opts.visibility)
            : ImageVisibility.IMAGE_VISIBILITY_UNSPECIFIED,
          isProtected: opts.protected ? true : opts.unprotected ? false : undefined,
          minDiskGb: opts.minDisk,
          minRamMb: opts.minRam,
          addTags: opts.tag ?? [],
          removeTags: opts.removeTag ?? [],
          properties: opts.property ?? {},
          removeProperties: opts.removeProperty ?? [],
        });
        if (opts.deactivate) changed = await ctx.client.deactivateImage(changed.id, ctx.selector);
        if (opts.activate) changed = await ctx.client.reactivateImage(changed.id, ctx.selector);
        ctx.printOne(changed, imageView);
      }),
    );

  withCommonOptions(image.command('import').description('have the cloud fetch an image from a URL').argument('<name>'))
    .requiredOption('--uri <url>', 'the http(s) URL the cloud fetches (web-download)')
    .option('--disk-format <format>', 'qcow2, raw ...')
    .option('--container-format <format>', 'bare (default), ovf ...', 'bare')
    .addOption(
      new Option('--visibility <visibility>', 'who can see it').choices(['public', 'private', 'shared', 'community']),
    )
    .option('--tag <tag>', 'a tag (repeatable)', repeatable)
    .option('--property <key=value>', 'an image property (repeatable)', keyValue)
    .action(
      action(async (ctx, opts, name: string) => {
        const imported = await ctx.client.importImage(
          {
            location: ctx.selector,
            name,
            uri: opts.uri,
            diskFormat: opts.diskFormat ?? '',
            containerFormat: opts.containerFormat,
            visibility: opts.visibility
              ? parseImageVisibility(opts.visibility)
              : ImageVisibility.IMAGE_VISIBILITY_UNSPECIFIED,
            tags: opts.tag ?? [],
            properties: opts.property ?? {},
          },
          { onProgress: (i) => ctx.progress(`${i.name}: ${i.cloudStatus}`) },
        );
        ctx.endProgress();
        ctx.printOne(imported, imageView);
      }),
    );

  const member = image.command('member').description('the projects an image is shared with');
  withCommonOptions(member.command('list').description("list an image's members").argument('<image>')).action(
    action(async (ctx, _opts, nameOrId: string) => {
      await ctx.printList(
        ctx.client.listImageMembers(nameOrId, ctx.selector, ctx.listOptions),
        imageMemberView,
        byPlace,
      );
    }),
  );
  withCommonOptions(
    member.command('add').description('share an image with a project').argument('<image>').argument('<project-id>'),
  ).action(
    action(async (ctx, _opts, nameOrId: string, project: string) => {
      ctx.printOne(await ctx.client.addImageMember(nameOrId, project, ctx.selector), imageMemberView);
    }),
  );
  withCommonOptions(
    member
      .command('remove')
      .description('stop sharing an image with a project')
      .argument('<image>')
      .argument('<project-id>'),
  ).action(
    action(async (ctx, _opts, nameOrId: string, project: string) => {
      const removed = await ctx.client.removeImageMember(nameOrId, project, ctx.selector);
      io.stdout.write(`image ${removed.imageId} is no longer shared with ${removed.memberId}\n`);
    }),
  );
  for (const answer of ['accept', 'reject'] as const) {
    withCommonOptions(
      member
        .command(answer)
        .description(`${answer} an image shared with your project`)
        .argument('<image-id>')
        .argument('<project-id>'),
    ).action(
      action(async (ctx, _opts, imageId: string, project: string) => {
        const status = answer === 'accept' ? 'accepted' : 'rejected';
        ctx.printOne(await ctx.client.updateImageMember(imageId, project, status, ctx.selector), imageMemberView);
      }),
    );
  }
}
