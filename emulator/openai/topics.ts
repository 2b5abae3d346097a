// Topic scoring: how strongly the content speaks of each candidate topic.
// Candidates come from the request's schema (the daemon's category list), so
// the emulator stays correct when categories are edited; a small multilingual
// dictionary (stems, matched at word starts) widens the match beyond the
// category's own name.
import { countWordStarts } from './prompt.js';

const DICTIONARY: Record<string, string[]> = {
  beauty: ['beauty', 'makeup', 'skincare', 'cosmetic', 'nails', 'косметик', 'макияж', 'бьюти', 'маникюр', 'уход за', 'сұлулық'],
  fashion: ['fashion', 'outfit', 'style', 'lookbook', 'мода', 'модн', 'стиль', 'образ', 'одежд', 'киім'],
  food: ['food', 'recipe', 'cooking', 'restaurant', 'кухн', 'рецепт', 'еда', 'готовлю', 'ресторан', 'вкусн', 'тағам', 'ас үй'],
  travel: ['travel', 'trip', 'tour', 'hotel', 'путешеств', 'поездк', 'отдых', 'отел', 'саяхат', 'туризм'],
  fitness: ['fitness', 'workout', 'gym', 'sport', 'training', 'yoga', 'фитнес', 'спорт', 'тренир', 'йога', 'жаттығу'],
  parenting: [
    'parenting',
    'mom',
    'mother',
    'kids',
    'children',
    'baby',
    'family',
    'мама',
    'мамочк',
    'дети',
    'детск',
    'ребен',
    'ребён',
    'малыш',
    'семь',
    'балалар',
    'бала',
    'ана',
    'отбасы',
  ],
  tech: ['tech', 'gadget', 'iphone', 'smartphone', 'laptop', 'технолог', 'гаджет', 'смартфон', 'айти'],
  auto: ['auto', 'car', 'cars', 'drive', 'авто', 'машин', 'тачк', 'автомобил', 'көлік'],
  business: ['business', 'startup', 'entrepreneur', 'marketing', 'бизнес', 'предприним', 'маркетинг', 'стартап', 'кәсіп'],
  education: ['education', 'learn', 'study', 'course', 'lesson', 'образован', 'учеб', 'курс', 'урок', 'школ', 'білім', 'сабақ'],
  humor: ['humor', 'funny', 'comedy', 'meme', 'юмор', 'смешн', 'прикол', 'мем', 'комеди', 'әзіл', 'күлкі'],
  music: ['music', 'song', 'singer', 'concert', 'музык', 'песн', 'певиц', 'концерт', 'әнші'],
  lifestyle: ['lifestyle', 'daily', 'vlog', 'лайфстайл', 'повседнев', 'влог', 'өмір'],
  health: ['health', 'wellness', 'doctor', 'nutrition', 'здоров', 'врач', 'медицин', 'питани', 'денсаулық'],
  home: ['home', 'interior', 'decor', 'интерьер', 'декор', 'ремонт', 'уют'],
  pets: ['pets', 'dog', 'cat', 'puppy', 'kitten', 'питом', 'собак', 'кошк', 'котик', 'щен', 'мысық'],
  finance: ['finance', 'invest', 'money', 'crypto', 'финанс', 'инвест', 'деньг', 'крипт', 'қаржы'],
  gaming: ['gaming', 'game', 'gamer', 'esports', 'игры', 'игра', 'гейм', 'стрим', 'ойын'],
  art: ['art', 'artist', 'painting', 'drawing', 'искусств', 'художник', 'рисун', 'картин', 'өнер'],
  photography: ['photography', 'photographer', 'фотограф', 'фотосесс', 'съемк', 'съёмк'],
};

/** Aliases so a category named e.g. "kids" or "cars" finds its dictionary entry. */
const ALIASES: Record<string, string> = {
  kids: 'parenting',
  family: 'parenting',
  motherhood: 'parenting',
  mom: 'parenting',
  children: 'parenting',
  cars: 'auto',
  automotive: 'auto',
  technology: 'tech',
  gadgets: 'tech',
  sport: 'fitness',
  sports: 'fitness',
  cooking: 'food',
  entertainment: 'humor',
  comedy: 'humor',
  animals: 'pets',
  interior: 'home',
  design: 'home',
  money: 'finance',
  games: 'gaming',
  photo: 'photography',
  wellness: 'health',
  style: 'fashion',
  makeup: 'beauty',
};

/**
 * The stems that count as evidence for a topic name like "beauty", "auto_moto"
 * or "Семья и дети": the name, its words (crudely stemmed), and the dictionary
 * entries those words belong to — by key/alias or by being one of an entry's stems.
 */
export function keywordsFor(topic: string): string[] {
  const lower = topic.toLowerCase();
  const tokens = lower.split(/[\s_\-/&,]+/).filter((t) => t.length > 1);
  const stems = new Set<string>([lower, ...tokens.map(crudeStem)]);
  for (const token of [lower, ...tokens]) {
    const entry = DICTIONARY[token] ?? DICTIONARY[ALIASES[token] ?? ''] ?? entryContaining(token);
    entry?.forEach((s) => stems.add(s));
  }
  return [...stems];
}

/** Drops an inflectional ending so "путешествия" also finds "путешествие". */
function crudeStem(word: string): string {
  return word.length > 5 ? word.slice(0, -2) : word;
}

function entryContaining(token: string): string[] | undefined {
  return Object.values(DICTIONARY).find((stems) => stems.some((s) => s.length >= 4 && token.startsWith(s)));
}

/** Evidence count per candidate; short stems (≤ 3 letters) must be whole words to avoid noise. */
export function scoreTopics(text: string, candidates: string[]): Map<string, number> {
  const lower = text.toLowerCase();
  const scores = new Map<string, number>();
  for (const candidate of candidates) {
    let score = 0;
    for (const stem of keywordsFor(candidate)) score += countWordStarts(lower, stem, stem.length <= 3);
    scores.set(candidate, score);
  }
  return scores;
}

/** Candidates with evidence, strongest first; ties keep the schema's order. */
export function rankTopics(text: string, candidates: string[]): string[] {
  const scores = scoreTopics(text, candidates);
  return candidates
    .filter((c) => (scores.get(c) ?? 0) > 0)
    .sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || candidates.indexOf(a) - candidates.indexOf(b));
}

/** Topics for a schema without an enum: the dictionary's own names. */
export const DEFAULT_TOPICS = Object.keys(DICTIONARY);
