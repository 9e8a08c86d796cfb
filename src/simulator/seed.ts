// Initial contents of a region: public + private networks, router, default security group, images, servers.
import { createHash } from 'node:crypto';
import { createPort, defaultGroupIds } from './network-ops.ts';
import { AVAILABILITY_ZONE, type CloudData, type Network, type RegionData, type Server, type Subnet } from './store.ts';
import { ipv4At, uuid } from './util.ts';

export function seedRegion(cloud: CloudData, region: RegionData): void {
  const now = Date.now();
  const publicNet = addNetwork(
    region,
    { name: 'public', projectId: cloud.adminProjectId, external: true, shared: false },
    '172.24.4.0/24',
    'public-subnet',
  );
  for (const project of cloud.projects.values()) {
    seedSecurityGroup(region, project.id);
    const priv = addNetwork(
      region,
      { name: 'private', projectId: project.id, external: false, shared: false },
      '10.0.0.0/12',
      'private-subnet',
    );
    const pubSubnet = region.subnets.get(publicNet.subnetIds[0]) as Subnet;
    const router = {
      id: uuid(),
      name: 'router1',
      projectId: project.id,
      externalNetworkId: publicNet.id,
      externalSubnetId: pubSubnet.id,
      gatewayIp: region.allocateIp(pubSubnet),
      createdAt: now,
      updatedAt: now,
    };
    region.routers.add(router);
    const privSubnet = region.subnets.get(priv.subnetIds[0]) as Subnet;
    createPort(region, priv, project.id, {
      deviceId: router.id,
      deviceOwner: 'network:router_interface',
      status: 'ACTIVE',
      securityGroupIds: [],
      fixedIps: [{ subnet_id: privSubnet.id, ip_address: privSubnet.gatewayIp }],
    });
    createPort(region, publicNet, cloud.adminProjectId, {
      deviceId: router.id,
      deviceOwner: 'network:router_gateway',
      status: 'ACTIVE',
      fixedIps: [{ subnet_id: pubSubnet.id, ip_address: router.gatewayIp }],
    });
  }
  for (let i = 0; i < cloud.opts.seedImages; i++) seedImage(cloud, region, i);
  const firstImage = region.images.values().next().value;
  // Seeded servers share their read-only arrays: at 100k servers every small array counts.
  const defaultGroup = Object.freeze(['default']) as string[];
  for (const project of cloud.memberProjects()) {
    const table = region.serversOf(project.id);
    const priv = region.privateNetworkOf(project.id) as Network;
    const groupIds = Object.freeze(defaultGroupIds(region, project.id)) as string[];
    const deviceOwner = `compute:${AVAILABILITY_ZONE}`;
    for (let i = 0; i < cloud.opts.seedServers; i++) {
      const id = uuid();
      // The port first, so the server's port list is an exact one-element array (push would reserve 17 slots).
      const port = createPort(region, priv, project.id, {
        createdForServer: true,
        deviceId: id,
        deviceOwner,
        status: 'ACTIVE',
        securityGroupIds: groupIds,
      });
      const server: Server = {
        id,
        name: `seed-${i}`,
        projectId: project.id,
        userId: cloud.demoUser.id,
        flavorId: '1',
        imageId: firstImage?.id ?? '',
        keyName: null,
        status: 'ACTIVE',
        created: now,
        updated: now,
        readyAt: now,
        launchedAt: now,
        deletedAt: null,
        az: AVAILABILITY_ZONE,
        securityGroups: defaultGroup,
        portIds: [port.id],
      };
      table.add(server);
    }
  }
}

function addNetwork(
  region: RegionData,
  net: Pick<Network, 'name' | 'projectId' | 'external' | 'shared'>,
  cidr: string,
  subnetName: string,
): Network {
  const now = Date.now();
  const network: Network = {
    ...net,
    id: uuid(),
    mtu: 1450,
    subnetIds: [],
    createdAt: now,
    updatedAt: now,
    description: '',
  };
  const subnet: Subnet = {
    id: uuid(),
    name: subnetName,
    networkId: network.id,
    projectId: net.projectId,
    cidr,
    gatewayIp: ipv4At(cidr, 1),
    poolStart: ipv4At(cidr, 2),
    poolEnd: ipv4At(cidr, 2 ** (32 - Number(cidr.split('/')[1])) - 2),
    nextHost: 2,
    createdAt: now,
    updatedAt: now,
  };
  network.subnetIds.push(subnet.id);
  region.networks.add(network);
  region.subnets.add(subnet);
  return network;
}

export function seedSecurityGroup(region: RegionData, projectId: string): void {
  const now = Date.now();
  const group = {
    id: uuid(),
    name: 'default',
    description: 'Default security group',
    projectId,
    createdAt: now,
    updatedAt: now,
  };
  region.securityGroups.add(group);
  for (const ethertype of ['IPv4', 'IPv6']) {
    for (const direction of ['ingress', 'egress']) {
      region.securityGroupRules.add({
        id: uuid(),
        groupId: group.id,
        direction,
        ethertype,
        protocol: null,
        portMin: null,
        portMax: null,
        remoteIpPrefix: null,
        remoteGroupId: direction === 'ingress' ? group.id : null,
        projectId,
        createdAt: now,
        description: '',
      });
    }
  }
}

function seedImage(cloud: CloudData, region: RegionData, index: number): void {
  const now = Date.now();
  const name = index === 0 ? 'cirros-0.6.2-x86_64-disk' : `seed-image-${index}`;
  // Seeded images carry a small synthetic payload so downloads work without touching the disk.
  const synthetic = Buffer.from(`simulated image ${name} in ${region.name}\n`.repeat(64));
  region.images.add({
    id: uuid(),
    name,
    status: 'active',
    visibility: 'public',
    owner: cloud.adminProjectId,
    diskFormat: cloud.opts.diskFormats.includes('qcow2') ? 'qcow2' : cloud.opts.diskFormats[0],
    containerFormat: cloud.opts.containerFormats.includes('bare') ? 'bare' : cloud.opts.containerFormats[0],
    size: synthetic.length,
    virtualSize: null,
    checksum: createHash('md5').update(synthetic).digest('hex'),
    hashAlgo: 'sha512',
    hashValue: createHash('sha512').update(synthetic).digest('hex'),
    minRam: 0,
    minDisk: 0,
    protected: false,
    hidden: false,
    tags: [],
    props: { hw_rng_model: 'virtio' },
    createdAt: now,
    updatedAt: now,
    synthetic,
  });
}
