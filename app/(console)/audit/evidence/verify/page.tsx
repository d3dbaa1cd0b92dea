import type { Metadata } from "next";
import Link from "next/link";
import { requireScope } from "@/lib/auth/session";
import { wardenPublicKey } from "@/lib/signing/keys";
import { Card, PageHeader } from "@/components/ui/Card";
import { VerifyUpload } from "@/components/evidence/VerifyUpload";

export const metadata: Metadata = { title: "Verify an evidence bundle" };
export const dynamic = "force-dynamic";

export default async function VerifyEvidencePage() {
  await requireScope("audit:read");
  const key = await wardenPublicKey();
  return (
    <>
      <PageHeader
        title="Verify an evidence bundle"
        description="Checks the Ed25519 signature of manifest.json with this Warden's public key, then the SHA-256 and size of every file, the audit hash chain inside the bundle and the shape of its OCSF records."
        actions={
          <Link href="/audit/evidence" className="text-sm text-brand-600 hover:underline">
            ← Evidence exports
          </Link>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Card>
            <VerifyUpload />
          </Card>
        </div>
        <Card title="Verify offline">
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Auditors need not trust this page. This Warden&apos;s public key (id <code>{key.keyId}</code>) is published at{" "}
            <a href="/api/v1/evidence/public-key?format=pem" className="text-brand-600 hover:underline">
              /api/v1/evidence/public-key
            </a>
            :
          </p>
          <pre className="mt-2 overflow-x-auto rounded-md bg-slate-100 p-2 text-xs dark:bg-slate-800">{key.publicKeyPem}</pre>
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">With a checkout of Warden:</p>
          <pre className="mt-1 overflow-x-auto rounded-md bg-slate-100 p-2 text-xs dark:bg-slate-800">npm run evidence:verify -- bundle.tar.gz --key warden.pem</pre>
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">Or with OpenSSL 3 (see README.txt in the bundle):</p>
          <pre className="mt-1 overflow-x-auto rounded-md bg-slate-100 p-2 text-xs dark:bg-slate-800">{`base64 -d manifest.sig > sig.bin
openssl pkeyutl -verify -pubin -inkey warden.pem \\
  -rawin -in manifest.json -sigfile sig.bin`}</pre>
        </Card>
      </div>
    </>
  );
}
