// What the network write calls of the SDK take: the proto requests without their location (passed as a selector)
// and without the name_or_id the call names as an argument; every field optional, as in the proto.
import type {
  AddRouterInterfaceRequest,
  CreateNetworkRequest,
  CreatePortRequest,
  CreateRouterRequest,
  CreateSecurityGroupRequest,
  CreateSecurityGroupRuleRequest,
  CreateSubnetRequest,
  DeepPartial,
  UpdateFloatingIPRequest,
  UpdateNetworkRequest,
  UpdatePortRequest,
  UpdateRouterRequest,
  UpdateSecurityGroupRequest,
  UpdateSubnetRequest,
} from '../gen/oaktree/v1/network.ts';

type Spec<R> = Omit<DeepPartial<R>, 'location' | 'nameOrId'>;

export type NetworkSpec = Spec<CreateNetworkRequest> & { name: string };
export type NetworkChanges = Spec<UpdateNetworkRequest>;
export type SubnetSpec = Spec<CreateSubnetRequest> & { network: string };
export type SubnetChanges = Spec<UpdateSubnetRequest>;
export type RouterSpec = Spec<CreateRouterRequest> & { name: string };
export type RouterChanges = Spec<UpdateRouterRequest>;
/** A subnet (name or id) or a port (id). */
export type RouterInterfaceTarget = Spec<AddRouterInterfaceRequest>;
export type PortSpec = Spec<CreatePortRequest> & { network: string };
export type PortChanges = Spec<UpdatePortRequest>;
export type SecurityGroupSpec = Spec<CreateSecurityGroupRequest> & { name: string };
export type SecurityGroupChanges = Spec<UpdateSecurityGroupRequest>;
export type SecurityGroupRuleSpec = Spec<CreateSecurityGroupRuleRequest>;
export type FloatingIpChanges = Spec<UpdateFloatingIPRequest>;
