/** Hands a file to the browser's download (a blob the API answered with, never a URL the API serves). */
export function download(b: Blob, name: string): void {
  const url = URL.createObjectURL(b);
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
