// recent.mjs: the last few results of a pure function of a short string, as the core keeps them
// (wasm/src/scrub.cpp, scrub/as_sent.cpp): a batch repeats its versions, names and keys in every
// event, so both sides skip the same repeated work.
export const LONGEST_REMEMBERED = 128;

export class Recent {
  constructor(entries) {
    this.keys = new Array(entries).fill(undefined);
    this.values = new Array(entries);
    this.next = 0;
  }

  // get() is the remembered value of key, or undefined.
  get(key) {
    const at = this.keys.indexOf(key);
    return at < 0 ? undefined : this.values[at];
  }

  keep(key, value) {
    this.keys[this.next] = key;
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.keys.length;
    return value;
  }
}
