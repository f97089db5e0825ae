// certgate for Node (ES modules): the same objects as the CommonJS entry, index.js.
import certgate from './index.js';

export const {
  createVerifier,
  inspect,
  inspectAll,
  codes,
  isCertgateError,
  provider,
  decodeForwarded,
  forwardedFormats,
  Verifier,
  VerifyResult,
  middleware,
  fastifyHook,
  tlsServerOptions,
  createChainReader,
  certificateSource,
  agentOptions,
} = certgate;
export default certgate;
