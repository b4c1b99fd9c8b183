// A deprecation warning in a test is a defect the suite would otherwise only print: pg, for one,
// warns when a query is sent an Invalid Date (a `new Date('…T17:5:00Z')`) and goes on, so a test
// meant to poll at 17:05 polled at no time at all and still passed. Thrown instead, it fails the
// test that caused it, with the stack of the call.
process.throwDeprecation = true;
