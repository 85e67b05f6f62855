export {
  type AwsCall,
  type ClientInterceptor,
  type ClientOptions,
  client,
  makeClient,
  setClientInterceptor,
} from "./clients.js";
