import type { Response } from 'express';

/**
 * Where a page flow goes next: to another URL (Post/Redirect/Get), or a page with its context.
 * Bad input is not a step: the flow throws FormValidationError, which re-renders the form.
 */
export type Step = { redirect: string } | { view: string; context: Record<string, unknown> };

export const redirectTo = (url: string): Step => ({ redirect: url });
export const pageOf = (view: string, context: Record<string, unknown>): Step => ({ view, context });

/** Sends a step: a 303 to the next URL, or the page. */
export function sendStep(res: Response, step: Step): void {
  if ('redirect' in step) res.redirect(303, step.redirect);
  else res.render(step.view, step.context);
}
