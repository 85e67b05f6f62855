export {
  formatGatewayProbeOutput,
  GATEWAY_PROBE_MARKER,
  type GatewayHealth,
  type GatewayProbeResult,
  gatewayProbeCommands,
  judgeGatewayHealth,
  ProbeOutputError,
  parseGatewayProbe,
} from "./probe.js";
