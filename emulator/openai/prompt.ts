// Reads a chat request the way a test wants to check it: what text and how many
// images reached the "model", which username it is about, which languages the
// content is written in, which places it mentions. The fake answer is built
// from these facts, so a test can tell from the output what the daemon sent.
import type { ChatMessage, ContentPart } from './types.js';

export type Language = 'russian' | 'kazakh' | 'english';

export interface PromptFacts {
  /** Text of system/developer messages (instructions, not content). */
  systemText: string;
  /** Text of user messages: the material being analysed. */
  userText: string;
  imageCount: number;
  imageUrls: string[];
  username: string | null;
  /** Languages of the content, most prevalent first (see classifyLine). */
  languages: Language[];
  /** Places named in the content, canonical English names, in order of first mention. */
  geoMentions: GeoMention[];
}

export interface GeoMention {
  name: string;
  country: 'kz' | 'ru' | 'uz' | 'kg';
}

export function analyzePrompt(messages: ChatMessage[]): PromptFacts {
  const system: string[] = [];
  const user: string[] = [];
  const imageUrls: string[] = [];
  for (const message of messages) {
    const target = message.role === 'user' ? user : system;
    for (const part of contentParts(message.content)) {
      if (part.type === 'text' && typeof part.text === 'string') target.push(part.text);
      if (part.type === 'image_url' && message.role === 'user') imageUrls.push(imageUrlOf(part));
    }
  }
  const userText = user.join('\n');
  return {
    systemText: system.join('\n'),
    userText,
    imageCount: imageUrls.length,
    imageUrls,
    username: findUsername(userText),
    languages: detectLanguages(userText),
    geoMentions: findGeoMentions(userText),
  };
}

function contentParts(content: ChatMessage['content']): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

function imageUrlOf(part: ContentPart): string {
  const image = (part as { image_url?: unknown }).image_url;
  if (typeof image === 'string') return image;
  const url = (image as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' ? url : '';
}

/** `username: name` (or `handle:`/`login:`) on its own line wins; else the first `@name`. */
export function findUsername(text: string): string | null {
  const labelled = /(?:^|\n)[\s\-*•]*(?:username|user name|handle|login|instagram)\s*[:=]\s*@?([A-Za-z0-9._]{1,30})/i.exec(text);
  if (labelled?.[1]) return labelled[1];
  const mention = /(?<![\w.])@([A-Za-z0-9._]{2,30})/.exec(text);
  return mention?.[1]?.replace(/\.+$/, '') ?? null;
}

// ---- language -------------------------------------------------------------

const KAZAKH_LETTERS = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/;
const CYRILLIC = /[\u0400-\u04FF]/g;

/** Words of the prompt's own English scaffolding ("followers: 120, posts: …"), not content. */
const SCAFFOLDING = new Set(
  (
    'username user name full bio biography followers following posts post reels reel plays views likes ' +
    'comments comment engagement rate caption captions hashtags hashtag mentions mention brands brand images ' +
    'image avatar thumbnail thumbnails pinned date location locations type photo video carousel media count ' +
    'counts highlights highlight stories link links category external url verified business private none ' +
    'with and the for per of'
  ).split(' '),
);

/** Lines with these labels name the account, they are not content in any language. */
const NAME_LABEL = /^[\s\-*•]*(?:username|user name|handle|login|instagram|full name|name)\s*[:=]/i;

/** Frequent Kazakh words spelled without Kazakh-specific letters (matched at word start). */
const KAZAKH_MARKERS = /(?<![\p{L}])(?:отбасы|демалыс|балалар|рахмет|керек|жаным|мына|кеше|ертең|сабақ|мектеп|бүгін|және|мен бірге)/iu;

/** Classifies one line of content: Kazakh letters or words → kazakh, other Cyrillic → russian, prose in Latin → english. */
export function classifyLine(line: string): Language | null {
  if (NAME_LABEL.test(line)) return null;
  const content = line
    .replace(/^[\s\-*•\d.)]*[A-Za-z][A-Za-z _()]{0,30}:/, ' ') // a leading "label:" is scaffolding
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[@][\w.]+/g, ' ');
  const cyrillic = content.match(CYRILLIC)?.length ?? 0;
  if (cyrillic >= 3) return KAZAKH_LETTERS.test(content) || KAZAKH_MARKERS.test(content) ? 'kazakh' : 'russian';
  const words = (content.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !SCAFFOLDING.has(w.toLowerCase()));
  return words.length >= 2 ? 'english' : null;
}

/**
 * Languages whose line count is at least 20% of the most frequent one, most
 * frequent first (ties: russian, kazakh, english) — so one stray English line
 * in a Russian blog does not make it bilingual.
 */
export function detectLanguages(text: string): Language[] {
  const counts: Record<Language, number> = { russian: 0, kazakh: 0, english: 0 };
  for (const line of text.split('\n')) {
    const language = classifyLine(line);
    if (language) counts[language]++;
  }
  const top = Math.max(...Object.values(counts));
  if (top === 0) return [];
  return (Object.keys(counts) as Language[]).filter((l) => counts[l] >= Math.max(1, top * 0.2)).sort((a, b) => counts[b] - counts[a]);
}

// ---- places ---------------------------------------------------------------

const PLACES: Array<{ name: string; country: GeoMention['country']; stems: string[] }> = [
  { name: 'Almaty', country: 'kz', stems: ['almaty', 'алматы', 'алма-ат'] },
  { name: 'Astana', country: 'kz', stems: ['astana', 'астана', 'астане', 'астану'] },
  { name: 'Shymkent', country: 'kz', stems: ['shymkent', 'шымкент'] },
  { name: 'Karaganda', country: 'kz', stems: ['karaganda', 'караганд', 'қарағанд'] },
  { name: 'Aktobe', country: 'kz', stems: ['aktobe', 'актобе', 'ақтөбе'] },
  { name: 'Atyrau', country: 'kz', stems: ['atyrau', 'атырау'] },
  { name: 'Aktau', country: 'kz', stems: ['aktau', 'актау', 'ақтау'] },
  { name: 'Kazakhstan', country: 'kz', stems: ['kazakhstan', 'казахстан', 'қазақстан'] },
  { name: 'Moscow', country: 'ru', stems: ['moscow', 'москв'] },
  { name: 'Saint Petersburg', country: 'ru', stems: ['petersburg', 'петербург', 'питер'] },
  { name: 'Kazan', country: 'ru', stems: ['kazan', 'казан'] },
  { name: 'Novosibirsk', country: 'ru', stems: ['novosibirsk', 'новосибирск'] },
  { name: 'Tashkent', country: 'uz', stems: ['tashkent', 'ташкент'] },
  { name: 'Samarkand', country: 'uz', stems: ['samarkand', 'самарканд'] },
  { name: 'Bishkek', country: 'kg', stems: ['bishkek', 'бишкек'] },
];

export function findGeoMentions(text: string): GeoMention[] {
  const lower = text.toLowerCase();
  const found: Array<GeoMention & { at: number }> = [];
  for (const place of PLACES) {
    const at = Math.min(...place.stems.map((s) => wordStartIndex(lower, s)).filter((i) => i >= 0));
    if (Number.isFinite(at)) found.push({ name: place.name, country: place.country, at });
  }
  return found.sort((a, b) => a.at - b.at).map(({ name, country }) => ({ name, country }));
}

/** Index of `stem` where it starts a word (Unicode-aware), or -1. */
export function wordStartIndex(haystack: string, stem: string): number {
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(stem)}`, 'u');
  return re.exec(haystack)?.index ?? -1;
}

export function countWordStarts(haystack: string, stem: string, wholeWord: boolean): number {
  const tail = wholeWord ? '(?![\\p{L}\\p{N}_])' : '';
  const re = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(stem)}${tail}`, 'gu');
  return haystack.match(re)?.length ?? 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
