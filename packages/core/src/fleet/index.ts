export {
  type FleetDescription,
  type FleetFileSystem,
  type FleetNames,
  fleetNames,
  type GatewayEndpoint,
  gatewayEndpoint,
  importedFleetDescription,
  RUNTIME_MOUNT,
  WORKSPACE_MOUNT,
} from "./description.js";
