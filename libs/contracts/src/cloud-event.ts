import { z } from 'zod';

/** Attribute names of CloudEvents 1.0: lower-case letters and digits only. */
const extensionName = /^[a-z0-9]{1,20}$/;

/**
 * The CloudEvents 1.0 envelope in JSON structured mode. Extension attributes are kept
 * (the spec allows them) but must have spec-conforming names.
 */
export const cloudEventSchema = z
  .looseObject({
    specversion: z.literal('1.0'),
    id: z.string().min(1).max(256),
    source: z.string().min(1).max(2048),
    type: z.string().min(1).max(256),
    subject: z.string().min(1).max(256).optional(),
    time: z.iso.datetime({ offset: true }).optional(),
    datacontenttype: z.string().optional(),
    dataschema: z.string().optional(),
    data: z.unknown().optional(),
  })
  .superRefine((event, ctx) => {
    for (const key of Object.keys(event)) {
      if (!extensionName.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a valid CloudEvents attribute name` });
      }
    }
  });

export type CloudEvent<T = unknown> = z.infer<typeof cloudEventSchema> & { data?: T };
