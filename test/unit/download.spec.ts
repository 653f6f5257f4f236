import { contentDisposition } from '../../src/common/web/download';

describe('downloads (RFC 6266 filename*)', () => {
  it('names the file in UTF-8 with an ASCII fallback', () => {
    expect(contentDisposition('attachment', '醫事人員憑證IC卡申請書-R20261206ABCDEF.pdf', 'application-R20261206ABCDEF.pdf')).toBe(
      `attachment; filename="application-R20261206ABCDEF.pdf"; filename*=UTF-8''${encodeURIComponent('醫事人員憑證IC卡申請書')}-R20261206ABCDEF.pdf`,
    );
  });

  it('keeps quotes, backslashes and non-ASCII out of the plain filename, and encodes RFC 8187 specials', () => {
    const value = contentDisposition('inline', "a'b (1)*.pdf", 'a"b\\c—d.pdf');
    expect(value).toBe(`inline; filename="a_b_c_d.pdf"; filename*=UTF-8''a%27b%20%281%29%2A.pdf`);
    expect(decodeURIComponent(value.split("UTF-8''")[1])).toBe("a'b (1)*.pdf");
  });
});
