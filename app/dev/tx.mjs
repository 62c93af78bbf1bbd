// Sends `tx` signed by `signer` and resolves once it is in a block; rejects with the
// dispatch error's name (`SlippageExceeded`, `NetDeltaLimit`, ...). Shared by the dev feed and
// the browser test.
export function inBlock(api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, dispatchError }) => {
      if (!status.isInBlock) return;
      if (dispatchError) {
        reject(new Error(dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule).name : dispatchError.toString()));
      } else resolve();
    }).catch(reject);
  });
}
