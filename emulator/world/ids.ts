/**
 * Identifier formats that mimic Instagram's.
 *
 * Media pks are Instagram "snowflake" ids: milliseconds since Instagram's epoch shifted left by 23
 * bits, plus shard and sequence bits. That makes them 19 digits (far above 2^53) and makes them sort
 * by time, exactly like the real ones. They are kept as decimal strings everywhere in the world;
 * the JSON writer emits them as bare numbers.
 */

const INSTAGRAM_EPOCH_MS = 1314220021721n;
const SHORTCODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A 19-digit media pk for a post taken at `takenAtSec`; `sequence` disambiguates same-second posts. */
export function mediaPkAt(takenAtSec: number, shard: number, sequence: number): string {
  const ms = BigInt(takenAtSec) * 1000n + BigInt(sequence % 1000);
  const shardBits = BigInt(shard % 8192) << 10n;
  return (((ms - INSTAGRAM_EPOCH_MS) << 23n) | shardBits | BigInt(sequence % 1024)).toString();
}

/** The shortcode Instagram derives from a media pk (base64url of the number). */
export function shortcodeFor(mediaPk: string): string {
  let value = BigInt(mediaPk);
  let code = '';
  while (value > 0n) {
    code = SHORTCODE_ALPHABET[Number(value % 64n)] + code;
    value /= 64n;
  }
  return code;
}

/** 17-digit ids used for highlights, captions and comments ("17975319242920589"). */
export function longId(prefix: '17' | '18', value: number): string {
  return prefix + String(Math.floor(value) % 1e15).padStart(15, '0');
}

/** `<mediapk>_<ownerpk>`: the media `id` field and the feed/user cursor. */
export function mediaId(mediaPk: string, ownerPk: number): string {
  return `${mediaPk}_${ownerPk}`;
}

/** A 17-digit fbid (`fbid_v2`, `interop_messaging_user_fbid`): also above 2^53. */
export function fbidFor(userPk: number): string {
  return (17841400000000000n + BigInt(userPk % 100000000000)).toString();
}
