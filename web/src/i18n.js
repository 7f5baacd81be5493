// The widget's own words in the assistant's three languages. The assistant's
// replies come from Rasa; only the frame around them is translated here.

export const LANGUAGES = ["it", "fr", "en"];
export const LANGUAGE_NAMES = { it: "Italiano", fr: "Français", en: "English" };

export const STRINGS = {
  en: {
    launcher: "Chat with us",
    title: "Support assistant",
    close: "Close the chat",
    languageLabel: "Language",
    logLabel: "Conversation",
    inputLabel: "Your message",
    placeholder: "Type your message…",
    send: "Send",
    you: "You",
    assistant: "Assistant",
    agent: "Support agent",
    typing: "The assistant is typing",
    emptyHint: "Write a message first.",
    counter: "{n} of {max} characters",
    pending: "not sent yet",
    connecting: "Connecting…",
    offline: "Connection lost. Reconnecting… Your messages will be sent then.",
    suggestions: "Suggested replies",
    handoffQueued: "Waiting for a person to join…",
    handoffAgent: "A person has joined the conversation",
    handoffAgentNamed: "A person has joined the conversation: {agent}",
    handoffEnded: "You are back with the assistant",
    readArticle: "Read the article",
    articleOtherLanguage: "This article is only available in {language}.",
    attach: "Send a screenshot",
    screenshotSending: "Sending the screenshot…",
    screenshotSent: "Screenshot sent",
    screenshotTooLarge: "This image is too large: send one of 5 MB at most.",
    screenshotWrongType: "Only PNG or JPEG images can be sent.",
    screenshotTooManyPixels: "This image has too many pixels: send a smaller screenshot.",
    screenshotUnreadable: "This image could not be read: try another PNG or JPEG.",
    screenshotNoAgent: "Screenshots can be sent only while a person is in the chat.",
    screenshotTooMany: "You have sent as many screenshots as this conversation can take.",
    screenshotFailed: "The screenshot could not be sent: please try again.",
    screenshotTooOften: "Too many attempts: wait a few minutes, then try again.",
    greeting: "Hello! I'm the support assistant. Ask me about signing in, passwords, your account or subscriptions, or talk to a person.",
    hoursTitle: "Our team answers chats (your time):",
    talkToPerson: "Talk to a person",
    allDay: "all day",
    waitingOpen: "You are number {position} in the queue. Estimated wait: about {minutes} min.",
    waitingClosed: "You are number {position} in the queue. Our team will answer when it is back.",
    unreadOne: "1 unread message",
    unreadMany: "{n} unread messages",
  },
  it: {
    launcher: "Chatta con noi",
    title: "Assistente del supporto",
    close: "Chiudi la chat",
    languageLabel: "Lingua",
    logLabel: "Conversazione",
    inputLabel: "Il tuo messaggio",
    placeholder: "Scrivi il tuo messaggio…",
    send: "Invia",
    you: "Tu",
    assistant: "Assistente",
    agent: "Operatore",
    typing: "L'assistente sta scrivendo",
    emptyHint: "Scrivi prima un messaggio.",
    counter: "{n} di {max} caratteri",
    pending: "non ancora inviato",
    connecting: "Connessione in corso…",
    offline: "Connessione persa. Riconnessione in corso… I tuoi messaggi verranno inviati appena possibile.",
    suggestions: "Risposte suggerite",
    handoffQueued: "In attesa di un operatore…",
    handoffAgent: "Un operatore si è unito alla conversazione",
    handoffAgentNamed: "Un operatore si è unito alla conversazione: {agent}",
    handoffEnded: "Sei di nuovo con l'assistente",
    readArticle: "Leggi l'articolo",
    articleOtherLanguage: "Questo articolo è disponibile solo in {language}.",
    attach: "Invia uno screenshot",
    screenshotSending: "Invio dello screenshot in corso…",
    screenshotSent: "Screenshot inviato",
    screenshotTooLarge: "Questa immagine è troppo grande: inviane una di 5 MB al massimo.",
    screenshotWrongType: "Si possono inviare solo immagini PNG o JPEG.",
    screenshotTooManyPixels: "Questa immagine ha troppi pixel: invia uno screenshot più piccolo.",
    screenshotUnreadable: "Non è stato possibile leggere questa immagine: prova con un altro PNG o JPEG.",
    screenshotNoAgent: "Puoi inviare screenshot solo mentre un operatore è in chat.",
    screenshotTooMany: "Hai inviato tutti gli screenshot possibili in questa conversazione.",
    screenshotFailed: "Non è stato possibile inviare lo screenshot: riprova.",
    screenshotTooOften: "Troppi tentativi: attendi qualche minuto, poi riprova.",
    greeting: "Ciao! Sono l'assistente del supporto. Chiedimi dell'accesso, della password, del tuo account o degli abbonamenti, oppure parla con una persona.",
    hoursTitle: "Il nostro team risponde in chat (ora locale):",
    talkToPerson: "Parla con una persona",
    allDay: "tutto il giorno",
    waitingOpen: "Sei il numero {position} in coda. Attesa stimata: circa {minutes} min.",
    waitingClosed: "Sei il numero {position} in coda. Il nostro team ti risponderà appena torna disponibile.",
    unreadOne: "1 messaggio non letto",
    unreadMany: "{n} messaggi non letti",
  },
  fr: {
    launcher: "Discuter avec nous",
    title: "Assistant du support",
    close: "Fermer la discussion",
    languageLabel: "Langue",
    logLabel: "Conversation",
    inputLabel: "Votre message",
    placeholder: "Écrivez votre message…",
    send: "Envoyer",
    you: "Vous",
    assistant: "Assistant",
    agent: "Conseiller",
    typing: "L'assistant écrit",
    emptyHint: "Écrivez d'abord un message.",
    counter: "{n} sur {max} caractères",
    pending: "pas encore envoyé",
    connecting: "Connexion…",
    offline: "Connexion perdue. Reconnexion en cours… Vos messages seront envoyés dès que possible.",
    suggestions: "Réponses suggérées",
    handoffQueued: "En attente d'un conseiller…",
    handoffAgent: "Un conseiller a rejoint la conversation",
    handoffAgentNamed: "Un conseiller a rejoint la conversation : {agent}",
    handoffEnded: "Vous êtes de nouveau avec l'assistant",
    readArticle: "Lire l'article",
    articleOtherLanguage: "Cet article n'est disponible qu'en {language}.",
    attach: "Envoyer une capture d'écran",
    screenshotSending: "Envoi de la capture d'écran…",
    screenshotSent: "Capture d'écran envoyée",
    screenshotTooLarge: "Cette image est trop lourde : envoyez-en une de 5 Mo au maximum.",
    screenshotWrongType: "Seules les images PNG ou JPEG peuvent être envoyées.",
    screenshotTooManyPixels: "Cette image a trop de pixels : envoyez une capture plus petite.",
    screenshotUnreadable: "Cette image est illisible : essayez avec un autre fichier PNG ou JPEG.",
    screenshotNoAgent: "Vous pouvez envoyer des captures d'écran uniquement lorsqu'un conseiller est dans la discussion.",
    screenshotTooMany: "Vous avez envoyé le nombre maximal de captures d'écran pour cette conversation.",
    screenshotFailed: "La capture d'écran n'a pas pu être envoyée : veuillez réessayer.",
    screenshotTooOften: "Trop de tentatives : patientez quelques minutes, puis réessayez.",
    greeting: "Bonjour ! Je suis l'assistant du support. Posez-moi vos questions sur la connexion, le mot de passe, votre compte ou vos abonnements, ou parlez à une personne.",
    hoursTitle: "Notre équipe répond sur le chat (heure locale) :",
    talkToPerson: "Parler à une personne",
    allDay: "toute la journée",
    waitingOpen: "Vous êtes numéro {position} dans la file. Attente estimée : environ {minutes} min.",
    waitingClosed: "Vous êtes numéro {position} dans la file. Notre équipe vous répondra dès son retour.",
    unreadOne: "1 message non lu",
    unreadMany: "{n} messages non lus",
  },
};

/** One of it/fr/en for a BCP 47 tag such as "fr-CA", or null. */
export function supportedLanguage(tag) {
  const primary = String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.includes(primary) ? primary : null;
}

/**
 * The language to start in: the configured one, else the page's <html lang>,
 * else the browser's preferences, else English.
 */
export function initialLanguage(configured, doc = document, nav = navigator) {
  const fixed = supportedLanguage(configured);
  if (fixed) return fixed;
  const candidates = [doc.documentElement.lang, ...(nav.languages || []), nav.language];
  for (const tag of candidates) {
    const language = supportedLanguage(tag);
    if (language) return language;
  }
  return "en";
}

/** The string `key` in `language`, with {placeholders} filled from `values`. */
export function t(language, key, values = {}) {
  const table = STRINGS[language] || STRINGS.en;
  const template = table[key] ?? STRINGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (match, name) =>
    name in values ? String(values[name]) : match,
  );
}
