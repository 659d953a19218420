/** A message for the user that stays until dismissed. */
export interface Notice {
  id: number;
  message: string;
}
