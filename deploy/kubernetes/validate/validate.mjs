// Validates Kubernetes objects (multi-document YAML on standard input, as `kubectl kustomize` prints them) against
// the API's OpenAPI schemas, as packaged by kubernetes-models: required fields, types, formats and enumerations.
// Prints one line per invalid object and a closing count; exits 1 when any object is invalid or of an unknown kind.
//   kubectl kustomize deploy/kubernetes/overlays/local | node deploy/kubernetes/validate/validate.mjs
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

let invalid = 0, count = 0;
for (const document of parseAllDocuments(readFileSync(0, "utf8"))) {
  if (document.errors.length) { invalid++; console.log(`YAML: ${document.errors.map(e => e.message).join("; ")}`); continue; }
  const object = document.toJS();
  if (!object) continue;
  count++;
  const name = `${object.kind}/${object.metadata?.name}`;
  const [group, version] = String(object.apiVersion).includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  let Model;
  try {
    const module = await import(group ? `kubernetes-models/${group}/${version}/${object.kind}` : `kubernetes-models/${version}/${object.kind}`);
    Model = module[object.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) { invalid++; console.log(`${name}: no schema for ${object.apiVersion} ${object.kind}`); continue; }
  try {
    new Model(object).validate();
  } catch (error) {
    invalid++;
    console.log(`${name}: ${error.message}`);
  }
}
console.log(`${count} objects, ${invalid} invalid`);
process.exit(invalid ? 1 : 0);
