import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from './attachments.service';

/**
 * Reads a multipart upload (field `files`, in memory, at most MAX_ATTACHMENTS + 1 files of
 * MAX_ATTACHMENT_BYTES) before the guards run, so the form's _csrf field is checked like any
 * other form's. A limit exceeded is not an exception: it is noted on req.uploadError for the
 * service to report as a form error.
 */
@Injectable()
export class UploadMiddleware implements NestMiddleware {
  private readonly read = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: MAX_ATTACHMENT_BYTES, files: MAX_ATTACHMENTS, fields: 10, fieldSize: 1024 } }).array('files', MAX_ATTACHMENTS);

  use(req: Request, res: Response, next: NextFunction): void {
    this.read(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        (req as Request & { uploadError?: string }).uploadError = err.code;
        req.body ??= {};
        return next();
      }
      next(err as Error | undefined);
    });
  }
}
