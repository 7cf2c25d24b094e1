// Client-side checks that mirror the server (chalicelib/domain/identity.py).
export function isValidNationalId(v) {
  if (!/^[0-9]{11}$/.test(v) || v[0] === "0") return false;
  const d = [...v].map(Number);
  const odd = d[0] + d[2] + d[4] + d[6] + d[8];
  const even = d[1] + d[3] + d[5] + d[7];
  if ((((odd * 7 - even) % 10) + 10) % 10 !== d[9]) return false;  // non-negative remainder
  return d.slice(0, 10).reduce((a, b) => a + b, 0) % 10 === d[10];
}

export function normaliseMobile(v) {
  let s = (v || "").trim().replace(/[\s\-().]/g, "");
  if (s.startsWith("+")) { s = s.slice(1); if (!s.startsWith("90")) return null; }
  if (s.startsWith("0090")) s = s.slice(4);
  else if (s.startsWith("90") && s.length === 12) s = s.slice(2);
  else if (s.startsWith("0") && s.length === 11) s = s.slice(1);
  return /^5[0-9]{9}$/.test(s) ? "+90" + s : null;
}
