// What every receipt says, on the citizen's page and at the desk alike (issue 41): the
// legal due date with its law, and the verification (short code and QR code, dogrula.html).
import { api, API_BASE, ApiError, fmtDate } from "./api.js";

export function dueText(r) {
  return r.legal_due_date
    ? `Size en geç ${fmtDate(r.legal_due_date)} tarihine kadar gerekçeli bir cevap verilir (${r.type === "bilgi_edinme" ? "4982 sayılı Kanun: 15 iş günü" : "3071 sayılı Kanun: 30 gün"}).`
    : "Teşekkür başvurularında yasal cevap süresi yoktur; teşekkürünüz ilgili kuruma iletilir.";
}

export function trackingAddress(r) {
  return new URL(`izle.html#no=${encodeURIComponent(r.application_no)}`, location.href).href;
}

// The QR code of the receipt's dogrula.html address, drawn by the API for a receipt it signed.
export async function drawQr(img, verification) {
  if (!verification) return;
  try {
    const { qr } = await api("GET", `/v1/receipts/qr?r=${encodeURIComponent(verification.token)}`);
    img.src = qr;
    img.hidden = false;
  } catch { /* offline: the short code and the address still verify it */ }
}

// The receipt as a PDF (GET /v1/applications/{no}/receipt.pdf, with the code just shown):
// shared where the phone can share a file, downloaded otherwise.
export async function receiptPdf(r, { share = false } = {}) {
  const res = await fetch(`${API_BASE}/v1/applications/${encodeURIComponent(r.application_no)}/receipt.pdf`,
    { headers: { "X-Access-Code": r.access_code, Accept: "application/pdf" } });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const name = `acikkapi-alindi-${r.application_no}.pdf`;
  const file = new File([await res.blob()], name, { type: "application/pdf" });
  if (share && navigator.canShare && navigator.canShare({ files: [file] })) {
    await navigator.share({ files: [file], title: "Açık Kapı alındı belgesi" });
    return "shared";
  }
  const a = document.createElement("a");
  a.href = URL.createObjectURL(file);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  return "downloaded";
}
