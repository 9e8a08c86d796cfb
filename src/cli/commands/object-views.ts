// How containers and objects look in a table, and their JSON form for -f json|yaml.
import { Container, StoredObject } from '../../gen/oaktree/v1/object_store.ts';
import type { Location } from '../../gen/oaktree/v1/location.ts';
import { formatBytes, type View } from './output.ts';

const cloud = { header: 'CLOUD', value: (o: { location?: Location | undefined }) => o.location?.cloud };
const region = { header: 'REGION', value: (o: { location?: Location | undefined }) => o.location?.region };

export const containerView: View<Container> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (c) => c.name },
    { header: 'OBJECTS', value: (c) => String(c.objectCount) },
    { header: 'BYTES', value: (c) => formatBytes(c.bytesUsed) },
    { header: 'PUBLIC', value: (c) => (c.readAcl || c.publicRead ? (c.publicRead ? 'yes' : 'no') : '') },
  ],
  toJSON: (c) => Container.toJSON(c),
};

export const objectView: View<StoredObject> = {
  columns: [
    cloud,
    region,
    { header: 'NAME', value: (o) => o.name },
    { header: 'SIZE', value: (o) => (o.isDirectory ? '(dir)' : formatBytes(o.sizeBytes)) },
    { header: 'TYPE', value: (o) => o.contentType },
    { header: 'MODIFIED', value: (o) => o.lastModified?.toISOString().slice(0, 19) ?? '' },
    { header: 'ETAG', value: (o) => o.etag },
  ],
  toJSON: (o) => StoredObject.toJSON(o),
};
