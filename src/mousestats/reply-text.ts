/** The raw text MouseStats answers when credentials are wrong or the user is unknown. */
export const PERMISSION_DENIED = "permission-denied";

/**
 * CreateAccount's reply is not documented. These are the forms we know (the simulator's): any
 * other text is treated as an error, kept, and retried from GetAccount, which has the last word.
 */
export const CREATE_ACCOUNT_REPLIES = { created: "account-created", exists: "account-exists" } as const;

/** What a CreateAccount reply says: made now, existed already, or something we do not know. */
export function classifyCreateAccountReply(text: string): "created" | "exists" | "unknown" {
  const reply = normalizeReplyText(text).toLowerCase();
  if (reply === CREATE_ACCOUNT_REPLIES.created) return "created";
  if (reply === CREATE_ACCOUNT_REPLIES.exists) return "exists";
  return "unknown";
}

/**
 * The reply as MouseStats means it: without a byte-order mark, surrounding whitespace, or the
 * double quotes an ASP.NET endpoint adds when it serialises a plain string as JSON.
 */
export function normalizeReplyText(body: string): string {
  const text = body.replace(/^\uFEFF/, "").trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1).trim();
  return text;
}

/** True for the raw `permission-denied` reply (case and whitespace tolerant). */
export function isPermissionDenied(body: string): boolean {
  return normalizeReplyText(body).toLowerCase() === PERMISSION_DENIED;
}

/**
 * True for an HTML page (an IIS/proxy error or maintenance page). Sniffed from the body, not
 * the content type: ASP.NET often labels plain-text replies `text/html`.
 */
export function looksLikeHtml(body: string): boolean {
  const text = body.replace(/^\uFEFF/, "").trimStart();
  return text.startsWith("<") && /<(!doctype\s+html|html|head|body|title)[\s>]/i.test(text);
}
