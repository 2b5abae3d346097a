// Turns what reached the "model" into the answer's content: the AIInsights
// fields a test can check (languages, topic, username and image count in
// `notes`, places, confidence) come from the prompt; the rest is a
// deterministic pick. Everything is driven by the request's own JSON schema, so
// a renamed category list or a changed enum still yields a valid answer.
import { hashIndex, hashUnit } from './ids.js';
import type { Language, PromptFacts } from './prompt.js';
import { generateFromSchema, NO_HINT, type Hint } from './schema-fill.js';
import { resolveRef } from './schema.js';
import { DEFAULT_TOPICS, rankTopics } from './topics.js';
import type { JsonSchema } from './types.js';

const LANGUAGE_NAMES: Record<Language, string[]> = {
  russian: ['russian', 'ru', 'rus', 'русский'],
  kazakh: ['kazakh', 'kk', 'kz', 'kaz', 'казахский', 'қазақ'],
  english: ['english', 'en', 'eng', 'английский'],
};

const PET_TYPES = [
  { name: 'dog', pattern: /(?<!\p{L})(?:dogs?(?!\p{L})|pupp|собак|пёс|пес(?!\p{L})|щен)/iu },
  { name: 'cat', pattern: /(?<!\p{L})(?:cats?(?!\p{L})|kitten|кошк|котик|кот(?!\p{L})|мысық)/iu },
];

const BRAND_SIGNAL = /#(ad|реклама|sponsored|collab|партнерство)\b|(?:^|\n)[\s\-*•]*brands?\s*[:=]\s*[^\s\n]/iu;

/** The structured answer for one request: JSON valid against `schema`, derived from `facts`. */
export function buildStructuredAnswer(schema: JsonSchema, facts: PromptFacts, seed: string): unknown {
  return generateFromSchema(schema, insightHints(schema, facts, seed), seed);
}

/** Facts summary used when the request asks for `json_object` or plain text. */
export function factsSummary(facts: PromptFacts, seed: string): Record<string, unknown> {
  const topic = rankTopics(facts.userText, DEFAULT_TOPICS)[0] ?? pickBy(DEFAULT_TOPICS, seed, facts.userText);
  return {
    username: facts.username,
    images: facts.imageCount,
    languages: facts.languages,
    primary_topic: topic,
    geo_mentions: facts.geoMentions.map((g) => g.name),
    confidence: confidenceFor(facts, seed),
  };
}

export function notesFor(facts: PromptFacts, topic: string | null): string {
  const languages = facts.languages.length > 0 ? facts.languages.join(', ') : 'none';
  return `username: ${facts.username ?? 'unknown'}; images: ${facts.imageCount}; languages: ${languages}; topic: ${topic ?? 'unknown'}`;
}

/** More material (text, images, a username) → more confident; a small hash jitter keeps it from looking constant. */
export function confidenceFor(facts: PromptFacts, seed: string): number {
  const evidence = Math.min(1, facts.imageCount / 10) * 0.3 + Math.min(1, facts.userText.length / 1500) * 0.3 + (facts.username ? 0.1 : 0);
  return Math.round((0.25 + evidence + hashUnit(seed, 'confidence') * 0.05) * 100) / 100;
}

function insightHints(root: JsonSchema, facts: PromptFacts, seed: string): Hint {
  const topicCandidates = enumStrings(findProperty(root, 'primary_topic'), root);
  const candidates = topicCandidates.length > 0 ? topicCandidates : DEFAULT_TOPICS;
  const ranked = rankTopics(facts.userText, candidates);
  const primary = ranked[0] ?? pickBy(candidates, seed, facts.userText);
  const has = (topic: string): boolean => rankTopics(facts.userText, [topic]).length > 0;
  const hints: Record<string, (schema: JsonSchema) => unknown> = {
    notes: () => notesFor(facts, primary),
    confidence: () => confidenceFor(facts, seed),
    primary_topic: () => primary,
    secondary_topics: (s) => secondaryTopics(s, root, facts, primary, candidates),
    content_language: (s) => facts.languages.map((l) => languageValue(l, enumStrings(s.items, root))),
    posts_in_russian: () => (facts.languages.length === 0 ? null : facts.languages.includes('russian')),
    posts_in_kazakh: () => (facts.languages.length === 0 ? null : facts.languages.includes('kazakh')),
    geo_mentions: () => facts.geoMentions.map((g) => g.name),
    estimated_audience_geo: (s) => audienceGeo(facts, enumStrings(s, root)) ?? NO_HINT,
    sponsored_posts: () => undisclosedSponsoredPosts(facts.userText),
    has_brand_collaborations: () => (BRAND_SIGNAL.test(facts.userText) ? true : NO_HINT),
    // Facts the content shows are true; without evidence a careful model says "unknown".
    has_children: () => (has('parenting') ? true : null),
    has_pets: () => (has('pets') ? true : null),
    pet_types: () => PET_TYPES.filter((p) => p.pattern.test(facts.userText)).map((p) => p.name),
    has_car: () => (has('auto') ? true : null),
    travels_frequently: () => (has('travel') ? true : null),
  };
  return (path, schema) => {
    const key = path[path.length - 1];
    const hint = key === undefined ? undefined : hints[key];
    return hint ? hint(schema) : NO_HINT;
  };
}

/** Ad hashtags a disclosed post carries (ig-scout's default AD_HASHTAGS and the world's AD_TAGS). */
const AD_HASHTAG =
  /#(?:ad|ads|advert|advertising|sponsored|sponsor|partner|partnership|collab|реклама|спонсор|партнерство|жарнама)(?![\p{L}\p{N}_])/iu;
/** Caption wording of a brand deal: "partnered with", a discount code, "link in bio" next to a brand @mention. */
const DEAL_WORDING: ReadonlyArray<{ pattern: RegExp; reason: string; needsMention?: boolean }> = [
  { pattern: /partnered with|в партн[её]рстве с/iu, reason: 'says it is a partnership' },
  { pattern: /(?:\bcode|промокод)\s+[A-Z0-9]{4,}(?![\p{L}\p{N}])/u, reason: 'gives a discount code' },
  { pattern: /link in bio|ссылка в шапке/iu, reason: 'sends to the link in bio for a brand', needsMention: true },
];

/**
 * The posts a careful model would call sponsored although nothing marks them: a post line of the prompt
 * (`- [code] facts: caption`) whose caption reads like a brand deal, with no "paid partnership" fact and no ad
 * hashtag. Deterministic, so a test can check the answer against the world's `undisclosedBrand` labels.
 */
export function undisclosedSponsoredPosts(userText: string): Array<{ post: string; reason: string }> {
  const found: Array<{ post: string; reason: string }> = [];
  for (const line of userText.split('\n')) {
    const match = /^- \[([^\]\s]+)\] (.*)$/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const text = match[2];
    if (/(?:^|, )paid partnership(?:,|:)/.test(text) || AD_HASHTAG.test(text)) continue;
    const hasMention = /(?<![\w.])@[A-Za-z0-9._]{2,30}/.test(text);
    const deal = DEAL_WORDING.find((w) => w.pattern.test(text) && (!w.needsMention || hasMention));
    if (deal) found.push({ post: match[1], reason: `the caption ${deal.reason}` });
  }
  return found;
}

function secondaryTopics(schema: JsonSchema, root: JsonSchema, facts: PromptFacts, primary: string, fallback: string[]): string[] {
  const itemEnum = enumStrings(schema.items, root);
  return rankTopics(facts.userText, itemEnum.length > 0 ? itemEnum : fallback)
    .filter((t) => t !== primary)
    .slice(0, 3);
}

function languageValue(language: Language, allowed: string[]): string {
  if (allowed.length === 0) return language;
  const lowerAllowed = allowed.map((a) => a.toLowerCase());
  const match = LANGUAGE_NAMES[language].find((name) => lowerAllowed.includes(name));
  return match ? (allowed[lowerAllowed.indexOf(match)] ?? language) : language;
}

/** One country among the mentions (or Kazakh content) → that country; several → the "mixed" value. */
function audienceGeo(facts: PromptFacts, allowed: string[]): string | null {
  const countries = new Set(facts.geoMentions.map((g) => g.country));
  if (facts.languages.includes('kazakh')) countries.add('kz');
  if (countries.size === 1) {
    const [only] = [...countries];
    return allowed.find((a) => a.toLowerCase() === only) ?? null;
  }
  if (countries.size > 1) return allowed.find((a) => /mix/i.test(a)) ?? null;
  return null;
}

function pickBy(values: string[], ...parts: string[]): string {
  return values[hashIndex(values.length, ...parts)] ?? '';
}

/** The schema of the first property called `name`, searching depth-first through objects and arrays. */
export function findProperty(node: JsonSchema | undefined, name: string, root: JsonSchema = node ?? {}, depth = 0): JsonSchema | undefined {
  if (!node || depth > 32) return undefined;
  const schema = resolveRef(node, root);
  const direct = schema.properties?.[name];
  if (direct) return direct;
  const children = [...Object.values(schema.properties ?? {}), ...(schema.items ? [schema.items] : []), ...(schema.anyOf ?? [])];
  for (const child of children) {
    const found = findProperty(child, name, root, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** String enum values of a node, looking through `$ref` and nullable `anyOf`. */
export function enumStrings(node: JsonSchema | undefined, root: JsonSchema): string[] {
  if (!node) return [];
  const schema = resolveRef(node, root);
  const own = (schema.enum ?? []).filter((v): v is string => typeof v === 'string');
  const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap((b) => enumStrings(b, root));
  return [...own, ...branches];
}
