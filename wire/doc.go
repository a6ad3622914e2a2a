// Package wire is what coldstore's HTTP fronts share whatever protocol they
// speak: the OSS front (ossapi) and the S3 front to come. It holds the
// mechanics the two protocols agree on, and takes as parameters the names
// in which they differ:
//
//   - request ids, and the headers every answer starts with (Front.Begin);
//   - error answers: the <Error><Code/><Message/><RequestId/><HostId/>
//     document both protocols send, the classification of a client's
//     failures as 4xx and of a shutdown as 503, and what a 5xx may say
//     (Front.Fail);
//   - bounded body reads and XML documents (ReadBody, DecodeXML,
//     Front.WriteXML);
//   - Range headers (ParseRange, with RangeRules saying how a protocol
//     treats a range that is not one satisfiable range), conditional
//     requests (Preconditions, IfRange), and sending a body once its first
//     bytes are read (Front.SendBody);
//   - listing pages: max-keys, marker, start-after and continuation tokens
//     (ParseListQuery);
//   - the mock clock endpoint /-/clock (MockClock);
//   - the frame of signature checks (Verifier, Scheme): a
//     protocol's algorithms (OSS V1 and V4, S3 SigV4) plug into it;
//   - the value of the x-oss-restore and x-amz-restore headers
//     (RestoreHeader), and query strings with their credentials redacted
//     for the log (RedactQuery).
//
// Header names, error codes and statuses that differ between the
// protocols, and each protocol's XML documents, stay in its front.
package wire
