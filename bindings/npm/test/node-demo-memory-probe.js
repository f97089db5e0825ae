'use strict';
// Loaded into node-demo by node-demo-memory.test.js (`node --require`): records the memory of
// each WebAssembly instance the process makes (the npm package's Node build keeps its
// instance to itself) and answers the IPC message 'wasm-memory' with their sizes in bytes.
// It changes nothing else: the subclass makes the same instance.

const memories = [];
const { Instance } = WebAssembly;

WebAssembly.Instance = class extends Instance {
  constructor(module, imports) {
    super(module, imports);
    if (this.exports.memory instanceof WebAssembly.Memory) memories.push(this.exports.memory);
  }
};

process.on('message', (message) => {
  if (message === 'wasm-memory') process.send({ wasmMemory: memories.map((m) => m.buffer.byteLength) });
});
