// Number formatting for the page: never "NaN", a real minus sign, short labels and full values.

const MINUS = "\u2212";

/** A value that cannot be shown as a number: null (overflow in the API) or non-finite. */
export function isMissing(x) {
  return x === null || x === undefined || !Number.isFinite(x);
}

/** x with `digits` significant digits, e.g. 0.5933, −0.0381, 1.23e−7; "—" when missing. */
export function formatNumber(x, digits = 4) {
  if (isMissing(x)) return "\u2014";
  if (x === 0) return "0";
  const magnitude = Math.abs(x);
  let text;
  if (magnitude >= 1e-4 && magnitude < 10 ** digits) {
    text = x.toPrecision(digits);
    if (text.includes("e")) text = String(Number(text));
    else if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  } else {
    const [mantissa, exponent] = x.toExponential(digits - 1).split("e");
    const trimmed = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
    text = `${trimmed}e${Number(exponent)}`;
  }
  return text.replaceAll("-", MINUS);
}

/** Like formatNumber, with an explicit + for positive values (sign never by colour alone). */
export function formatSigned(x, digits = 4) {
  const text = formatNumber(x, digits);
  return !isMissing(x) && x > 0 ? `+${text}` : text;
}

/**
 * x in at most `chars` characters for the diagram, keeping as many of `digits` significant
 * digits as fit: 0.0004386 in 8 is "4.386e−4"; `signed` writes + before a positive number.
 */
export function fitNumber(x, chars, { digits = 4, signed = false } = {}) {
  const plus = !isMissing(x) && x > 0 && signed ? "+" : "";
  for (let d = digits; d >= 1; d -= 1) {
    for (const text of [formatNumber(x, d), exponent(x, d)]) {
      if (plus.length + text.length <= chars) return plus + text;
    }
  }
  // in a small neuron: -.07 reads more easily than -7e-2
  for (let d = digits; d >= 1; d -= 1) {
    const text = formatNumber(x, d).replace(/^(\u2212?)0\./, "$1.");
    if (plus.length + text.length <= chars) return plus + text;
  }
  return plus + exponent(x, 1);
}

function exponent(x, digits) {
  if (isMissing(x) || x === 0) return formatNumber(x);
  const [mantissa, power] = x.toExponential(digits - 1).split("e");
  return `${mantissa}e${Number(power)}`.replaceAll("-", MINUS);
}

/** The full value: the shortest decimal that round-trips, with a real minus sign. */
export function formatFull(x) {
  if (isMissing(x)) return "\u2014";
  return String(x).replace("e+", "e").replaceAll("-", MINUS);
}

/** A CSV cell: plain ASCII, full precision, empty when missing. */
export function csvNumber(x) {
  return isMissing(x) ? "" : String(x);
}
