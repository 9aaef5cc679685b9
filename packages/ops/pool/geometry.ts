import { outSize } from "../checks.ts";

/** Output shape of a max-pool of x [N,C,H,W] over k×k windows at stride k. */
export function pooledShape([N, C, H, W]: readonly number[], k: number): number[] {
  return [N, C, outSize(H, k, k, 0), outSize(W, k, k, 0)];
}
