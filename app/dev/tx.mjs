// Sends `tx` signed by `signer` and resolves once it is in a block; rejects with the
// dispatch error's name (`SlippageExceeded`, `NetDeltaLimit`, ...). Shared by the dev feed and
// the browser test.
//
// The dev feed signs as Alice every few seconds, and so does the browser test's sudo call: two
// submissions can take the same nonce, and the pool refuses the second (1014, "Priority is too
// low", when the other is a feed; 1010 when it has just been included). Such a refusal is
// retried with a fresh nonce, a few times.
export async function inBlock(api, tx, signer, tries = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(api, tx, signer);
    } catch (e) {
      const clash = /1014|1010|Priority is too low|Transaction is outdated/.test(String(e?.message ?? e));
      if (!clash || attempt >= tries) throw e;
      await new Promise((r) => setTimeout(r, 1_500));
    }
  }
}

function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, dispatchError }) => {
      if (!status.isInBlock) return;
      if (dispatchError) {
        reject(new Error(dispatchError.isModule ? api.registry.findMetaError(dispatchError.asModule).name : dispatchError.toString()));
      } else resolve();
    }).catch(reject);
  });
}
