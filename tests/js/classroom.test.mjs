import assert from "node:assert/strict";
import { test } from "node:test";

import { followingText, isLoopback, studentLink, urlHost } from "../../static/js/classroom.js";

const page = (hostname, port = "8000") => ({
  protocol: "http:", hostname, port, host: port ? `${hostname}:${port}` : hostname, pathname: "/",
});
const lan = { host: "0.0.0.0", addresses: ["192.168.1.23", "fd12::23"], advice: null };

test("a page opened as localhost shares the server's network address, on the same port", () => {
  for (const hostname of ["localhost", "127.0.0.1", "127.0.1.1", "[::1]"]) {
    assert.deepEqual(studentLink(page(hostname), lan, "#session=abc"),
      { link: "http://192.168.1.23:8000/#session=abc", advice: null }, hostname);
  }
});

test("a page opened by an address others can use shares that address", () => {
  assert.deepEqual(studentLink(page("10.0.0.7"), lan, "#session=abc"), { link: "http://10.0.0.7:8000/#session=abc", advice: null });
  assert.equal(studentLink(page("lab.school.example", ""), lan, "#s").link, "http://lab.school.example/#s");
});

test("an IPv6 address goes in brackets", () => {
  assert.equal(urlHost("fd12::23"), "[fd12::23]");
  assert.equal(urlHost("192.168.1.23"), "192.168.1.23");
  assert.equal(studentLink(page("localhost"), { addresses: ["fd12::23"] }, "#s").link, "http://[fd12::23]:8000/#s");
});

test("without an address students can reach, there is no link and the server's advice says why", () => {
  const loopbackOnly = { host: "127.0.0.1", addresses: [], advice: "students on other machines cannot reach it" };
  assert.deepEqual(studentLink(page("127.0.0.1"), loopbackOnly, "#s"), { link: null, advice: loopbackOnly.advice });
  assert.match(studentLink(page("localhost"), undefined, "#s").advice, /cannot use/);
});

test("loopback names are told apart from others", () => {
  assert.ok(isLoopback("localhost") && isLoopback("127.0.0.1") && isLoopback("[::1]"));
  assert.ok(!isLoopback("192.168.1.23") && !isLoopback("localhost.example") && !isLoopback("1127.0.0.1"));
});

test("how many students follow, in words", () => {
  assert.equal(followingText(0), "No students following yet");
  assert.equal(followingText(1), "1 student following");
  assert.equal(followingText(12), "12 students following");
  assert.equal(followingText(undefined), "No students following yet");
});
