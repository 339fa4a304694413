// A class on one network: the link students follow (with an address their machines can reach) and the
// words for how many follow. Pure functions, so node tests them; app.js puts them on the page.

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Whether a page's hostname (location.hostname) is this machine only. */
export function isLoopback(hostname) {
  return LOOPBACK.test(hostname);
}

/** An address as a URL's host: an IPv6 literal goes in brackets. */
export function urlHost(address) {
  return address.includes(":") && !address.startsWith("[") ? `[${address}]` : address;
}

/**
 * The link to `hash` (e.g. a viewer hash) that students can open, and why there is none when there is none.
 * where: the page's location ({protocol, hostname, host, port, pathname}); network: /api/options "network"
 * ({addresses, advice}). A page opened by a name or address others can use shares that; a page opened as
 * localhost shares the server's first network address instead, on the same port.
 * Returns {link, advice}: link is null when no reachable address is known (advice then says what to do).
 */
export function studentLink(where, network, hash) {
  if (!isLoopback(where.hostname)) return { link: `${where.protocol}//${where.host}${where.pathname}${hash}`, advice: null };
  const address = network?.addresses?.[0];
  if (!address) {
    return { link: null, advice: network?.advice ?? "This page was opened as localhost: students on other machines cannot use its address." };
  }
  const port = where.port ? `:${where.port}` : "";
  return { link: `${where.protocol}//${urlHost(address)}${port}${where.pathname}${hash}`, advice: null };
}

/** "No students following yet", "1 student following", "12 students following". */
export function followingText(viewers) {
  const n = Number.isInteger(viewers) && viewers > 0 ? viewers : 0;
  if (n === 0) return "No students following yet";
  return `${n} student${n === 1 ? "" : "s"} following`;
}
