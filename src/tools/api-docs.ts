// Generates the API reference from the proto comments: one markdown page per service in proto/docs/ plus an index.
// It reads the descriptor set buf builds (src/gen/descriptor-set.bin, with source info), so the docs say exactly
// what the contract says. `npm run docs` writes the pages; `--check` exits 1 when the committed pages are stale.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary, isFieldSet } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
  type FileDescriptorSet,
} from '@bufbuild/protobuf/wkt';

const ROOT = new URL('../../', import.meta.url).pathname;
export const DESCRIPTOR_SET = join(ROOT, 'src/gen/descriptor-set.bin');
export const DOCS_DIR = join(ROOT, 'proto/docs');

// Field numbers of the descriptor messages, for source-info paths.
const FILE_MESSAGE = 4;
const FILE_ENUM = 5;
const FILE_SERVICE = 6;
const MESSAGE_FIELD = 2;
const MESSAGE_NESTED = 3;
const MESSAGE_ENUM = 4;
const MESSAGE_ONEOF = 8;
const ENUM_VALUE = 2;
const SERVICE_METHOD = 2;

interface TypeInfo {
  kind: 'message' | 'enum';
  name: string;
  fullName: string;
  file: FileDescriptorProto;
  comment: string;
  message?: DescriptorProto;
  enumType?: EnumDescriptorProto;
  path: number[];
}

function commentsOf(file: FileDescriptorProto): Map<string, string> {
  const comments = new Map<string, string>();
  for (const location of file.sourceCodeInfo?.location ?? []) {
    const text = location.leadingComments || location.trailingComments;
    if (text)
      comments.set(
        location.path.join(','),
        text
          .split('\n')
          .map((line) => line.replace(/^ /, ''))
          .join('\n')
          .trim(),
      );
  }
  return comments;
}

function collectTypes(set: FileDescriptorSet): Map<string, TypeInfo> {
  const types = new Map<string, TypeInfo>();
  for (const file of set.file) {
    const comments = commentsOf(file);
    const visitMessage = (message: DescriptorProto, prefix: string, path: number[]) => {
      const fullName = `${prefix}.${message.name}`;
      types.set(fullName, {
        kind: 'message',
        name: message.name,
        fullName,
        file,
        comment: comments.get(path.join(',')) ?? '',
        message,
        path,
      });
      message.nestedType.forEach((nested, i) => {
        if (!nested.options?.mapEntry) visitMessage(nested, fullName, [...path, MESSAGE_NESTED, i]);
        else
          types.set(`${fullName}.${nested.name}`, {
            kind: 'message',
            name: nested.name,
            fullName: `${fullName}.${nested.name}`,
            file,
            comment: '',
            message: nested,
            path: [...path, MESSAGE_NESTED, i],
          });
      });
      message.enumType.forEach((e, i) => visitEnum(e, fullName, [...path, MESSAGE_ENUM, i]));
    };
    const visitEnum = (enumType: EnumDescriptorProto, prefix: string, path: number[]) => {
      const fullName = `${prefix}.${enumType.name}`;
      types.set(fullName, {
        kind: 'enum',
        name: enumType.name,
        fullName,
        file,
        comment: comments.get(path.join(',')) ?? '',
        enumType,
        path,
      });
    };
    file.messageType.forEach((m, i) => visitMessage(m, `.${file.package}`, [FILE_MESSAGE, i]));
    file.enumType.forEach((e, i) => visitEnum(e, `.${file.package}`, [FILE_ENUM, i]));
  }
  return types;
}

const scalarNames: Partial<Record<FieldDescriptorProto_Type, string>> = {
  [FieldDescriptorProto_Type.DOUBLE]: 'double',
  [FieldDescriptorProto_Type.FLOAT]: 'float',
  [FieldDescriptorProto_Type.INT64]: 'int64',
  [FieldDescriptorProto_Type.UINT64]: 'uint64',
  [FieldDescriptorProto_Type.INT32]: 'int32',
  [FieldDescriptorProto_Type.FIXED64]: 'fixed64',
  [FieldDescriptorProto_Type.FIXED32]: 'fixed32',
  [FieldDescriptorProto_Type.BOOL]: 'bool',
  [FieldDescriptorProto_Type.STRING]: 'string',
  [FieldDescriptorProto_Type.BYTES]: 'bytes',
  [FieldDescriptorProto_Type.UINT32]: 'uint32',
  [FieldDescriptorProto_Type.SFIXED32]: 'sfixed32',
  [FieldDescriptorProto_Type.SFIXED64]: 'sfixed64',
  [FieldDescriptorProto_Type.SINT32]: 'sint32',
  [FieldDescriptorProto_Type.SINT64]: 'sint64',
};

const anchor = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
const firstSentence = (text: string) => oneLine(text).split(/(?<=\.)\s/)[0] ?? '';

class DocWriter {
  constructor(
    private readonly types: Map<string, TypeInfo>,
    private readonly pageOf: (file: FileDescriptorProto) => string | undefined,
    private readonly currentPage: string,
  ) {}

  link(typeName: string): string {
    if (typeName === '.google.protobuf.Timestamp') return 'Timestamp (RFC 3339)';
    const type = this.types.get(typeName);
    if (!type) return typeName.replace(/^\./, '');
    const page = this.pageOf(type.file);
    if (!page) return type.name;
    return `[${type.name}](${page === this.currentPage ? '' : page}#${anchor(type.name)})`;
  }

  fieldType(field: FieldDescriptorProto): string {
    if (field.typeName) {
      const type = this.types.get(field.typeName);
      if (type?.message?.options?.mapEntry) {
        const [key, value] = type.message.field;
        return `map<${this.fieldType(key!)}, ${this.fieldType(value!)}>`;
      }
      const linked = this.link(field.typeName);
      return field.label === FieldDescriptorProto_Label.REPEATED ? `repeated ${linked}` : linked;
    }
    const scalar = scalarNames[field.type] ?? 'unknown';
    return field.label === FieldDescriptorProto_Label.REPEATED ? `repeated ${scalar}` : scalar;
  }
}

/** Every message and enum a service's RPCs reach, in the order they are first met. */
function reachable(types: Map<string, TypeInfo>, roots: string[]): TypeInfo[] {
  const seen = new Set<string>();
  const order: TypeInfo[] = [];
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const type = types.get(name);
    if (!type) return;
    if (!type.message?.options?.mapEntry) order.push(type);
    for (const field of type.message?.field ?? []) if (field.typeName) visit(field.typeName);
  };
  roots.forEach(visit);
  return order;
}

function renderType(type: TypeInfo, writer: DocWriter, comments: Map<string, string>): string[] {
  const lines = [`### ${type.name}`, ''];
  if (type.comment) lines.push(type.comment, '');
  if (type.kind === 'enum') {
    lines.push('| Value | Number | Description |', '| --- | --- | --- |');
    type.enumType!.value.forEach((value, i) => {
      const comment = comments.get([...type.path, ENUM_VALUE, i].join(',')) ?? '';
      lines.push(`| \`${value.name}\` | ${value.number} | ${oneLine(comment)} |`);
    });
  } else {
    const message = type.message!;
    if (message.field.length === 0) lines.push('No fields.');
    else {
      lines.push('| Field | Type | Number | Description |', '| --- | --- | --- | --- |');
      message.field.forEach((field, i) => {
        const comment = comments.get([...type.path, MESSAGE_FIELD, i].join(',')) ?? '';
        const inOneof = isFieldSet(field, FieldDescriptorProtoSchema.field.oneofIndex);
        const oneof =
          inOneof && !field.proto3Optional
            ? ` (one of \`${message.oneofDecl[field.oneofIndex]?.name}\`)`
            : field.proto3Optional
              ? ' (optional)'
              : '';
        lines.push(
          `| \`${field.name}\` | ${writer.fieldType(field)} | ${field.number} | ${oneLine(comment)}${oneof} |`,
        );
      });
      message.oneofDecl.forEach((oneof, i) => {
        const comment = comments.get([...type.path, MESSAGE_ONEOF, i].join(','));
        if (comment && !message.field.some((f) => f.oneofIndex === i && f.proto3Optional)) {
          lines.push('', `\`${oneof.name}\`: ${oneLine(comment)}`);
        }
      });
    }
  }
  lines.push('');
  return lines;
}

/** The pages, by file name: one per oaktree service, and README.md as the index. */
export function renderDocs(set: FileDescriptorSet): Map<string, string> {
  const types = collectTypes(set);
  const oaktreeFiles = set.file.filter((file) => file.package.startsWith('oaktree.') && file.service.length > 0);
  // A file without a service (e.g. the mesh's routing header) is documented on its package's service page.
  const homeOf = (file: FileDescriptorProto) =>
    file.service.length > 0 ? file : oaktreeFiles.find((other) => other.package === file.package);
  const pageOf = (file: FileDescriptorProto) => {
    const service = homeOf(file)?.service[0];
    return file.package.startsWith('oaktree.') && service ? `${service.name}.md` : undefined;
  };
  const companions = (file: FileDescriptorProto) =>
    set.file.filter((other) => other !== file && other.service.length === 0 && homeOf(other) === file);
  const pages = new Map<string, string>();
  const index = [
    '# oaktree API reference',
    '',
    '<!-- Generated by `npm run docs` (src/tools/api-docs.ts) from the comments in proto/. Do not edit. -->',
    '',
    'Every call goes to one oaktree node, which answers for every cloud, region and project it reaches. Each object',
    'carries its `Location`; requests select locations with a `LocationSelector` (empty fields mean "any"). List',
    'calls stream one message per object, with in-band `LocationError` items for locations that failed (unless',
    '`strict`). Errors use the canonical gRPC status codes.',
    '',
    '| Service | Package | What it does |',
    '| --- | --- | --- |',
  ];
  for (const file of oaktreeFiles) {
    const comments = commentsOf(file);
    file.service.forEach((service, serviceIndex) => {
      const page = `${service.name}.md`;
      const writer = new DocWriter(types, pageOf, page);
      const servicePath = [FILE_SERVICE, serviceIndex];
      const serviceComment = comments.get(servicePath.join(',')) ?? '';
      index.push(`| [${service.name}](${page}) | \`${file.package}\` | ${firstSentence(serviceComment)} |`);
      const lines = [
        `# ${service.name}`,
        '',
        `<!-- Generated by \`npm run docs\` (src/tools/api-docs.ts) from ${file.name}. Do not edit. -->`,
        '',
        `\`${file.package}.${service.name}\`, defined in ${[file, ...companions(file)].map((f) => `\`proto/${f.name}\``).join(' and ')}.`,
        '',
      ];
      if (serviceComment) lines.push(serviceComment, '');
      lines.push('## Methods', '', '| Method | Request | Response | Kind |', '| --- | --- | --- | --- |');
      const roots: string[] = [];
      for (const method of service.method) {
        const kind = method.clientStreaming
          ? method.serverStreaming
            ? 'bidirectional stream'
            : 'client stream'
          : method.serverStreaming
            ? 'server stream'
            : 'unary';
        lines.push(
          `| [${method.name}](#${anchor(method.name)}) | ${writer.link(method.inputType)} | ${writer.link(method.outputType)} | ${kind} |`,
        );
        roots.push(method.inputType, method.outputType);
      }
      lines.push('');
      service.method.forEach((method, i) => {
        const comment = comments.get([...servicePath, SERVICE_METHOD, i].join(',')) ?? '';
        const stream = (yes: boolean | undefined) => (yes ? 'stream ' : '');
        lines.push(
          `### ${method.name}`,
          '',
          '```proto',
          `rpc ${method.name}(${stream(method.clientStreaming)}${method.inputType.split('.').pop()}) returns (${stream(method.serverStreaming)}${method.outputType.split('.').pop()});`,
          '```',
          '',
        );
        if (comment) lines.push(comment, '');
      });
      const local = reachable(types, roots).filter((type) => type.file === file);
      const messages = local.filter((type) => type.kind === 'message');
      const enums = local.filter((type) => type.kind === 'enum');
      // Types of this file that no RPC reaches still belong to its reference (shared types like Location).
      const declared = [...types.values()].filter(
        (type) =>
          (type.file === file || companions(file).includes(type.file)) &&
          !local.includes(type) &&
          !type.message?.options?.mapEntry,
      );
      if (messages.length || declared.some((t) => t.kind === 'message')) lines.push('## Messages', '');
      for (const type of [...messages, ...declared.filter((t) => t.kind === 'message')]) {
        lines.push(...renderType(type, writer, commentsOf(type.file)));
      }
      if (enums.length || declared.some((t) => t.kind === 'enum')) lines.push('## Enums', '');
      for (const type of [...enums, ...declared.filter((t) => t.kind === 'enum')])
        lines.push(...renderType(type, writer, commentsOf(type.file)));
      pages.set(page, lines.join('\n').replace(/\n+$/, '\n'));
    });
  }
  index.push(
    '',
    '## Calling the API without a client library',
    '',
    'Every node serves gRPC reflection and health checking, so generic tools work, e.g. with buf:',
    '',
    '```sh',
    'buf curl --protocol grpc --http2-prior-knowledge --list-methods http://127.0.0.1:50051',
    "buf curl --protocol grpc --http2-prior-knowledge -d '{}' http://127.0.0.1:50051/oaktree.v1.LocationService/ListLocations",
    '```',
    '',
  );
  pages.set('README.md', index.join('\n'));
  return pages;
}

export function loadDescriptorSet(path = DESCRIPTOR_SET): FileDescriptorSet {
  return fromBinary(FileDescriptorSetSchema, readFileSync(path));
}

/** Names of committed pages that differ from what the descriptor set gives (missing, stale or extra). */
export function staleDocs(pages: Map<string, string>, dir = DOCS_DIR): string[] {
  let present: string[] = [];
  try {
    present = readdirSync(dir).filter((name) => name.endsWith('.md'));
  } catch {
    present = [];
  }
  const stale = [...pages]
    .filter(([name, text]) => {
      try {
        return readFileSync(join(dir, name), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([name]) => name);
  return [...stale, ...present.filter((name) => !pages.has(name))];
}

function main(argv: string[]): number {
  const pages = renderDocs(loadDescriptorSet());
  if (argv.includes('--check')) {
    const stale = staleDocs(pages);
    if (stale.length) {
      process.stderr.write(`proto/docs is not current (${stale.join(', ')}): run npm run docs\n`);
      return 1;
    }
    return 0;
  }
  mkdirSync(DOCS_DIR, { recursive: true });
  for (const name of readdirSync(DOCS_DIR)) if (name.endsWith('.md') && !pages.has(name)) rmSync(join(DOCS_DIR, name));
  for (const [name, text] of pages) writeFileSync(join(DOCS_DIR, name), text);
  process.stdout.write(`wrote ${pages.size} pages to proto/docs/\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
