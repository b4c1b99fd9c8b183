// The plain cell values the streaming reader yields and the writer takes. They are declared in
// schemas/cells.ts (the layouts speak of them too, and schemas import nothing from src); this
// is their name inside the xlsx layer. Nothing outside src/xlsx ever sees an exceljs object.
export * from '../../schemas/cells.js';
