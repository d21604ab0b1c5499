// Injected into the isomorphic-git bundle by esbuild (--inject): isomorphic-git expects a
// global Buffer.
export { Buffer } from 'buffer';
