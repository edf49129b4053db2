// Reads one JSON request on stdin and writes one JSON answer on stdout.
//   {"op":"sign", "alg", "key" (JWK), "header", "claims"}  -> {"token"}
//   {"op":"verify", "alg", "key" (JWK), "token", "typ", "issuer",
//    "audience", "now" (seconds)}                           -> {"claims"}
import { SignJWT, importJWK, jwtVerify } from 'jose';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const req = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const key = await importJWK(req.key, req.alg);

if (req.op === 'sign') {
  const token = await new SignJWT(req.claims).setProtectedHeader(req.header).sign(key);
  process.stdout.write(JSON.stringify({ token }));
} else {
  const { payload } = await jwtVerify(req.token, key, {
    algorithms: [req.alg],
    typ: req.typ,
    issuer: req.issuer,
    audience: req.audience,
    currentDate: new Date(req.now * 1000),
    requiredClaims: ['exp', 'iat', 'jti'],
  });
  process.stdout.write(JSON.stringify({ claims: payload }));
}
