"""ML2 mechanism driver for the oaktree devcloud: bind every port, on any host.

The devcloud has no L2 agent and no dataplane. Neutron's in-tree "test"
driver cannot be used instead: its bind_port asserts that there is no
original port, and nova always *updates* an existing port with the host, so
binding would fail and every server would go to ERROR (PortBindingFailed).

This driver binds a port of vnic_type "normal" to its first segment with
vif_type "ovs" and marks it ACTIVE at once (nova's fake virt driver plugs
nothing). Other vnic types stay unbound, as on a cloud without SR-IOV.

up.sh copies this file into $STATE/lib, registers it under the entry point
"oaktree_bindall" (group neutron.ml2.mechanism_drivers) with a small
dist-info directory, and puts $STATE/lib on neutron-server's sys.path.
"""
from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api

VIF_DETAILS = {
    portbindings.CAP_PORT_FILTER: True,
    portbindings.OVS_HYBRID_PLUG: False,
    portbindings.VIF_DETAILS_BRIDGE_NAME: "br-int",
}


class BindAllDriver(api.MechanismDriver):
    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        port = context.current
        if port.get(portbindings.VNIC_TYPE, portbindings.VNIC_NORMAL) != portbindings.VNIC_NORMAL:
            return
        segments = list(context.segments_to_bind)
        if not segments:
            return
        context.set_binding(segments[0][api.ID], portbindings.VIF_TYPE_OVS,
                            dict(VIF_DETAILS), status=constants.PORT_STATUS_ACTIVE)
