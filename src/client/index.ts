// oaktree's TypeScript SDK: `import { connect } from 'oaktree/client'`.
export { connect, OaktreeClient } from './client.ts';
export type {
  CreateServerOptions,
  CreateServerSpec,
  CreateServerStageName,
  DownloadImageOutcome,
  UploadImageOptions,
  UploadImageOutcome,
} from './client.ts';
export type { CallOptions } from './call-options.ts';
export type { ConnectOptions, TlsOptions } from './connect-options.ts';
export { OaktreeError, Status, statusName } from './errors.ts';
export type { ImageSink, ImageSource, TransferProgress } from './image-transfer.ts';
export { ListStream, type ListOptions } from './list-stream.ts';
export type { Selector } from './selector.ts';
export type { WatchEvent, WatchOptions } from './watch.ts';
export type {
  CreateServerExtras,
  FlavorListExtras,
  FlavorSortName,
  ServerFilters,
  ServerGroupPolicyName,
} from './server-config.ts';
export {
  SERVER_ACTION_NAMES,
  type ServerActionName,
  type ServerActionOptions,
  type ServerActionSpec,
  type ServerActionStageName,
  type SnapshotServerOptions,
} from './server-actions.ts';
export * from './names.ts';
export type { Capabilities } from '../gen/oaktree/v1/capabilities.ts';
export {
  ServerStatus,
  type AvailabilityZone,
  type Flavor,
  type Keypair,
  type Server,
} from '../gen/oaktree/v1/compute.ts';
export { ImageStatus, ImageVisibility, type Image } from '../gen/oaktree/v1/image.ts';
export type { Limits } from '../gen/oaktree/v1/limits.ts';
export type { Location, Project } from '../gen/oaktree/v1/location.ts';
export type { Route } from '../gen/oaktree/mesh/v1/mesh.ts';
export type { FloatingIP, Network, Port, SecurityGroup, Subnet } from '../gen/oaktree/v1/network.ts';
export type { NetworkQuotas, Router, SecurityGroupRule } from '../gen/oaktree/v1/network.ts';
export { SecurityGroupRuleDirection } from '../gen/oaktree/v1/network.ts';
export type * from './network-specs.ts';
export { VolumeStatus, type Volume } from '../gen/oaktree/v1/volume.ts';
export type { Container, StoredObject } from '../gen/oaktree/v1/object_store.ts';
export type { DownloadObjectOutcome, ObjectSink, ObjectSource, UploadObjectOutcome } from './object-transfer.ts';
