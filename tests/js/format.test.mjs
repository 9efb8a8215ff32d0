// Number formatting: significant digits, a real minus sign, and never "NaN".
import assert from "node:assert/strict";
import { test } from "node:test";

import { csvNumber, fitNumber, formatFull, formatNumber, formatSigned } from "../../static/js/format.js";

test("four significant digits by default, trailing zeros dropped", () => {
  assert.equal(formatNumber(0.5932699921071872), "0.5933");
  assert.equal(formatNumber(0.4), "0.4");
  assert.equal(formatNumber(1.10590596705977), "1.106");
  assert.equal(formatNumber(0.082167041, 6), "0.082167");
  assert.equal(formatNumber(0.35891647971788465, 8), "0.35891648");
});

test("negative numbers use the minus sign U+2212", () => {
  assert.equal(formatNumber(-0.0380982), "\u22120.0381");
  assert.equal(formatSigned(0.138498562), "+0.1385");
  assert.equal(formatSigned(-0.5), "\u22120.5");
  assert.equal(formatSigned(0), "0");
});

test("very small and very large values switch to exponent form", () => {
  assert.equal(formatNumber(1.234567e-7), "1.235e\u22127");
  assert.equal(formatNumber(5.722648009170901e82), "5.723e82");
  assert.equal(formatNumber(123456), "1.235e5");
});

test("missing values (null from an overflow, NaN, Infinity) never show as NaN", () => {
  for (const x of [null, undefined, NaN, Infinity, -Infinity]) {
    assert.equal(formatNumber(x), "\u2014");
    assert.equal(formatSigned(x), "\u2014");
    assert.equal(formatFull(x), "\u2014");
    assert.equal(csvNumber(x), "");
  }
});

test("full values round-trip exactly; CSV stays ASCII", () => {
  const x = -0.35891647971788465;
  assert.equal(formatFull(x), "\u22120.35891647971788465");
  assert.equal(Number(csvNumber(x)), x);
  assert.equal(csvNumber(1e-300), "1e-300");
});

test("the diagram's numbers fit their room, keeping as many significant digits as they can", () => {
  assert.equal(fitNumber(0.5932699921071872, 7), "0.5933");
  assert.equal(fitNumber(0.0004385677, 8, { signed: true }), "+4.39e\u22124");
  assert.equal(fitNumber(0.0004385677, 9, { signed: true }), "+4.386e\u22124");
  assert.equal(fitNumber(-0.0380982, 8), "\u22120.0381");
  assert.equal(fitNumber(-1.234567e-12, 8), "\u22121.2e\u221212");
  assert.equal(fitNumber(123456.7, 7), "1.235e5");
  assert.equal(fitNumber(0, 8, { signed: true }), "0");
  // a small neuron's room: no leading zero rather than an exponent
  assert.equal(fitNumber(-0.0714, 4), "\u2212.07");
  assert.equal(fitNumber(0.4123, 3, { signed: true }), "+.4");
  assert.equal(fitNumber(0.4123, 4, { signed: true }), "+0.4");
  assert.equal(fitNumber(null, 8), "\u2014");
  for (const x of [1e-300, -9.99999e-99, 987654321, -0.00012345, 0.1, -1e300]) {
    assert.ok(fitNumber(x, 8, { signed: true }).length <= 8, String(x));
    assert.ok(fitNumber(x, 7).length <= 7, String(x));
  }
});
