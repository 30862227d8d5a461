// The one door to the runtime: the renderer sees only the shared control protocol (and, through it, the
// error catalogue's wire shape). Everything else in runtime/ is off limits (eslint.config.js).
export * from '../../../runtime/shared/protocol.js';
