import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';

/** One uploaded file as the multipart reader hands it over (in memory). */
export interface UploadedFile {
  originalname: string;
  size: number;
  buffer: Buffer;
}

/** A request after readMultipart: the files of its field, or why they were refused (a multer code such as LIMIT_FILE_SIZE). */
export type UploadRequest = Request & { files?: UploadedFile[]; uploadError?: string };

/**
 * Middleware that reads a multipart upload into memory before the guards run, so the form's
 * _csrf field is checked like any other form's. A limit exceeded is not an exception: its code is
 * put on req.uploadError for the service to report as a form error, with the form kept.
 */
export function readMultipart(options: { field: string; maxFiles: number; maxFileBytes: number; maxFields: number }): RequestHandler {
  const read = multer({
    storage: multer.memoryStorage(),
    defParamCharset: 'utf8',
    limits: { fileSize: options.maxFileBytes, files: options.maxFiles, fields: options.maxFields, fieldSize: 1024 },
  }).array(options.field, options.maxFiles);
  return (req: Request, res: Response, next: NextFunction) =>
    read(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        (req as UploadRequest).uploadError = err.code;
        req.body ??= {};
        return next();
      }
      next(err as Error | undefined);
    });
}
