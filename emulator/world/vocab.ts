/**
 * Word lists for the generated world: names, bios (Russian, Kazakh, English), brands,
 * hashtags, places and caption templates. Plain data; the generators pick from it.
 */

export type Lang = 'ru' | 'kk' | 'en';

/** First names as shown in full_name, with the Latin form used to build usernames. */
export const FIRST_NAMES: ReadonlyArray<readonly [display: string, latin: string]> = [
  ['Айгерим', 'aigerim'],
  ['Аружан', 'aruzhan'],
  ['Дана', 'dana'],
  ['Жанар', 'zhanar'],
  ['Асель', 'assel'],
  ['Мадина', 'madina'],
  ['Камила', 'kamila'],
  ['Томирис', 'tomiris'],
  ['Ерлан', 'yerlan'],
  ['Нурлан', 'nurlan'],
  ['Арман', 'arman'],
  ['Данияр', 'daniyar'],
  ['Алина', 'alina'],
  ['Мария', 'maria'],
  ['Екатерина', 'katya'],
  ['Анастасия', 'nastya'],
  ['Дмитрий', 'dmitry'],
  ['Алексей', 'alexey'],
  ['Ольга', 'olga'],
  ['Виктория', 'vika'],
  ['Sofia', 'sofia'],
  ['Emma', 'emma'],
  ['Liam', 'liam'],
  ['Noah', 'noah'],
];

export const LAST_NAMES: ReadonlyArray<readonly [display: string, latin: string]> = [
  ['Нурланова', 'nurlanova'],
  ['Сейткали', 'seitkali'],
  ['Ахметова', 'akhmetova'],
  ['Жумабаев', 'zhumabayev'],
  ['Касымова', 'kassymova'],
  ['Омарова', 'omarova'],
  ['Бекова', 'bekova'],
  ['Иванова', 'ivanova'],
  ['Смирнова', 'smirnova'],
  ['Кузнецов', 'kuznetsov'],
  ['Попова', 'popova'],
  ['Соколова', 'sokolova'],
  ['Miller', 'miller'],
  ['Carter', 'carter'],
  ['Brooks', 'brooks'],
  ['Evans', 'evans'],
];

/** Niches give a creator its hashtags, bio wording and caption topics. */
export interface Niche {
  name: string;
  category: string;
  hashtags: readonly string[];
  topics: Record<Lang, readonly string[]>;
}

export const NICHES: readonly Niche[] = [
  {
    name: 'food',
    category: 'Food & Beverage',
    hashtags: ['almatyfood', 'vkusno', 'foodblogger', 'astanafood'],
    topics: {
      ru: ['новый рецепт', 'завтрак дня', 'кофейня недели'],
      kk: ['жаңа рецепт', 'таңғы ас', 'дәмді тағам'],
      en: ['new recipe', 'brunch spot', 'street food'],
    },
  },
  {
    name: 'beauty',
    category: 'Beauty, cosmetic & personal care',
    hashtags: ['beautyblogger', 'makeupkz', 'skincare', 'almatyfood'],
    topics: {
      ru: ['уход за кожей', 'новый макияж', 'обзор косметики'],
      kk: ['тері күтімі', 'жаңа макияж', 'косметика шолуы'],
      en: ['skincare routine', 'makeup look', 'product review'],
    },
  },
  {
    name: 'fitness',
    category: 'Fitness Trainer',
    hashtags: ['fitnesskz', 'sport', 'zozh', 'travelkz'],
    topics: {
      ru: ['тренировка дня', 'питание и спорт', 'утренняя пробежка'],
      kk: ['бүгінгі жаттығу', 'спорт және тамақ', 'таңғы жүгіру'],
      en: ['workout of the day', 'meal prep', 'morning run'],
    },
  },
  {
    name: 'travel',
    category: 'Travel Company',
    hashtags: ['travelkz', 'kazakhstan', 'visitalmaty', 'qazaqstan'],
    topics: {
      ru: ['путешествие по Казахстану', 'горы и озёра', 'выходные в Алматы'],
      kk: ['Қазақстан бойынша саяхат', 'таулар мен көлдер', 'Алматыдағы демалыс'],
      en: ['road trip', 'mountain lakes', 'weekend getaway'],
    },
  },
  {
    name: 'fashion',
    category: 'Clothing (Brand)',
    hashtags: ['streetstylekz', 'fashionblogger', 'ootd', 'qazaqstan'],
    topics: {
      ru: ['образ дня', 'новая коллекция', 'стиль на каждый день'],
      kk: ['күннің бейнесі', 'жаңа коллекция', 'күнделікті стиль'],
      en: ['outfit of the day', 'new collection', 'everyday style'],
    },
  },
  {
    name: 'family',
    category: 'Personal blog',
    hashtags: ['momlife', 'mamablog', 'kazakhstan', 'vkusno'],
    topics: {
      ru: ['будни мамы', 'выходные с детьми', 'семейный ужин'],
      kk: ['ананың күндері', 'балалармен демалыс', 'отбасылық кешкі ас'],
      en: ['mom life', 'family weekend', 'kids crafts'],
    },
  },
  {
    name: 'tech',
    category: 'Digital creator',
    hashtags: ['techreview', 'gadgets', 'itkz', 'sport'],
    topics: {
      ru: ['обзор смартфона', 'гаджеты недели', 'лайфхаки'],
      kk: ['смартфон шолуы', 'аптаның гаджеттері', 'пайдалы кеңестер'],
      en: ['phone review', 'gadgets of the week', 'tech tips'],
    },
  },
];

export const BRANDS: ReadonlyArray<readonly [username: string, fullName: string]> = [
  ['kaspi.kz', 'Kaspi.kz'],
  ['magnum_kz', 'Magnum'],
  ['chocofamily', 'Chocofamily'],
  ['dodopizza.kz', 'Додо Пицца Казахстан'],
  ['air_astana', 'Air Astana'],
  ['wildberries_kz', 'Wildberries'],
  ['samsung_kz', 'Samsung Kazakhstan'],
  ['nike', 'Nike'],
  ['zara', 'ZARA Official'],
  ['loreal_paris_kz', "L'Oréal Paris"],
  ['beeline_kz', 'Beeline Казахстан'],
  ['glovo_kz', 'Glovo'],
];

export const BIO_TEMPLATES: Record<Lang, readonly string[]> = {
  ru: [
    '{topic} каждый день ✨ Сотрудничество: {email}',
    'Блог про {topic} 📍 {city}\nРеклама в директ',
    '{topic} | мама двоих | амбассадор @{brand}',
  ],
  kk: ['{topic} туралы блог 🇰🇿 {city}\nЖарнама: {email}', 'Күн сайын {topic} ✨ @{brand} амбассадоры', '{city} қаласынан 📍 {topic}'],
  en: [
    '{topic} creator 🌍 {city} | collabs: {email}',
    'Sharing {topic} every week ✨ partner @{brand}',
    '{city} based · {topic} · DM for collabs',
  ],
};

export const CAPTION_TEMPLATES: Record<Lang, readonly string[]> = {
  ru: [
    '{topic} 🔥 Спасибо @{brand} за подарок! {tags}',
    'Сегодня {topic} вместе с @{friend} 💛 {tags}',
    'Как вам {topic}? Пишите в комментариях 👇 {tags}',
  ],
  kk: ['Бүгін {topic} 🔥 @{brand} рахмет! {tags}', '{topic} @{friend} екеуміз ✨ {tags}', 'Сіздерге {topic} ұнай ма? 👇 {tags}'],
  en: [
    '{topic} 🔥 thanks @{brand} for the gift! {tags}',
    'Out with @{friend} today: {topic} 💛 {tags}',
    'What do you think about this {topic}? 👇 {tags}',
  ],
};

export interface Place {
  pk: number;
  name: string;
  city: string;
  address: string;
  lat: number;
  lng: number;
}

export const PLACES: readonly Place[] = [
  { pk: 213385402, name: 'Almaty, Kazakhstan', city: 'Almaty', address: '', lat: 43.2567, lng: 76.9286 },
  { pk: 1027405590, name: 'Astana, Kazakhstan', city: 'Astana', address: '', lat: 51.1694, lng: 71.4491 },
  { pk: 266813470, name: 'Medeu', city: 'Almaty', address: 'Gornaya St 465', lat: 43.1571, lng: 77.0594 },
  { pk: 474829170, name: 'Kok-Tobe', city: 'Almaty', address: 'Kok-Tobe hill', lat: 43.2331, lng: 76.9748 },
  { pk: 329117502, name: 'Mega Alma-Ata', city: 'Almaty', address: 'Rozybakiev St 247A', lat: 43.2024, lng: 76.8925 },
  { pk: 212988663, name: 'Москва, Россия', city: 'Moscow', address: '', lat: 55.7558, lng: 37.6173 },
  { pk: 106423559, name: 'Big Almaty Lake', city: 'Almaty', address: '', lat: 43.0506, lng: 76.9856 },
];

export const CITIES = ['Алматы', 'Астана', 'Шымкент', 'Москва', 'Almaty', 'Astana'] as const;

export const HIGHLIGHT_TITLES = ['Отзывы', 'Travel', 'Рецепты', 'Collab', 'Әсерлер', 'Family', 'Spa', 'Q&A', 'Shop'] as const;

export const LINK_DOMAINS = ['kaspi.kz/shop', 'taplink.cc', 'linktr.ee', 'wildberries.kz/catalog', 'chocolife.me'] as const;
