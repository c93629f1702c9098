const crypto = require("crypto");

// True when `header` (the LMS-Signature header) signs `payload` (the raw request body, a Buffer)
// with `secret` (whsec_...), made at most `tolerance` seconds ago.
function verify(payload, header, secret, tolerance = 300) {
  let timestamp = "";
  const signatures = [];
  for (const part of header.split(",")) {
    const [key, value = ""] = part.trim().split("=");
    if (key === "t") timestamp = value;
    else if (key === "v1") signatures.push(value);
  }
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > tolerance) {
    return false; // no time, or too old: a replay
  }
  const expected = crypto.createHmac("sha256", secret).update(`${timestamp}.`).update(payload).digest();
  return signatures.some((signature) => {
    const given = Buffer.from(signature, "hex");
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

module.exports = { verify };
